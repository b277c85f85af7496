"""Calling the doctor home: IIN -> one-time code -> the call form -> the answer (number and visit window).

The same pages serve the website and the lobby kiosk (current_channel() says which); the kiosk shows masked
names only. Each step works as a plain form; htmx swaps the sign-in box, shows the emergency banner while
the form is filled in, and refreshes the answer while the call waits for the registry or for a doctor.
"""

import contextlib
import logging

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.blueprints.home_visits import bp
from app.blueprints.home_visits.forms import CallForm, CodeForm, IinForm
from app.channels import current_channel, current_kiosk
from app.core.actors import Actor
from app.core.i18n import current_language
from app.core.iin import InvalidIin, parse_iin
from app.core.urls import safe_next_path
from app.htmx import redirect_after_step, render_page
from app.patient_auth import current_patient_iin, sign_out_patient
from app.patient_sign_in import PatientSignIn
from app.services import home_visits, patients
from app.services import status as status_service

log = logging.getLogger(__name__)

POLL_SECONDS = 10


@bp.context_processor
def _labels() -> dict:
    return {"red_flag_labels": home_visits.RED_FLAG_LABELS, "status_labels": home_visits.STATUS_LABELS}


# ---- identification: the shared patient sign-in, landing on the call form ---------------------------------
SIGN_IN = PatientSignIn(
    blueprint="home_visits",
    start_endpoint="start_call",
    landing_endpoint="home_visits.new_call",
    page_template="home_visits/start.html",
    fragment_template="home_visits/_identify.html",
    iin_form=IinForm,
    code_form=CodeForm,
    page_values=lambda: {"call_day": home_visits.call_day_for()},
)


@bp.get("/")
def start_call():
    """The sign-in box, or straight on to the call form for someone already signed in."""
    return SIGN_IN.start()


@bp.post("/code")
def send_code():
    return SIGN_IN.send_code()


@bp.post("/code/check")
def check_code():
    return SIGN_IN.check_code()


@bp.post("/sign-out")
def sign_out():
    return SIGN_IN.sign_out()


# ---- the call ----------------------------------------------------------------------------------------
def _call_page(form: CallForm, applicant, *, error=None, duplicate=None, status=200):
    return render_page(
        "home_visits/call.html",
        None,
        status=status,
        form=form,
        applicant=applicant,
        error=error,
        duplicate=duplicate,
        duplicate_is_theirs=duplicate is not None
        and status_service.is_party(duplicate.request, applicant.iin),
        call_day=home_visits.call_day_for(),
        signs=_signs_from(form, applicant),
    )


def _signs_from(form: CallForm, applicant) -> set[str]:
    """The red flags the form's current values show (ticked, in the words of the complaint, or by age)."""
    birth_date = applicant.birth_date if applicant is not None else None
    if form.for_whom.data == "relative":
        birth_date = None  # until the family member's IIN is complete, their age is unknown
        with contextlib.suppress(InvalidIin):
            birth_date = parse_iin(form.relative_iin.data or "").birth_date
    return home_visits.signs_shown(
        form.complaint.data or "", form.temperature.data, form.red_flags.data, birth_date
    )


def _applicant():
    """The signed-in person's card (None when nobody is signed in), or the sign-in box saying why there is
    none to be had."""
    iin = current_patient_iin()
    if not iin:
        return None, None
    found = home_visits.find_patient(iin)
    if found.patient is None:
        if not found.registry_unavailable:  # the registry knows nobody with this IIN any more
            sign_out_patient()
        return None, SIGN_IN.render_box(error=found.problem)
    return found.patient, None


@bp.get("/new")
def new_call():
    applicant, problem = _applicant()
    if problem is not None:
        return problem
    if applicant is None:  # the sign-in lands on this form afterwards: it is the home calls' landing page
        return redirect(url_for("home_visits.start_call"))
    form = CallForm(
        formdata=None,
        address=applicant.address,
        callback_phone=applicant.phone,
    )
    return _call_page(form, applicant)


@bp.post("/new")
def create_call():
    applicant, problem = _applicant()
    if problem is not None:
        return problem
    if applicant is None:
        flash(_("Your session has expired. Please enter your IIN again."), "warning")
        return redirect_after_step(url_for("home_visits.start_call"))
    form = CallForm()
    if not form.validate():
        return _call_page(form, applicant, status=422)

    patient = applicant
    for_relative = form.for_whom.data == "relative"
    if for_relative:
        try:
            relative_iin = parse_iin(form.relative_iin.data or "").iin
        except InvalidIin as invalid:
            form.relative_iin.errors.append(invalid.message)
            return _call_page(form, applicant, status=422)
        if relative_iin == applicant.iin:
            for_relative = False
        else:
            relative = home_visits.find_patient(relative_iin)
            if relative.registry_unavailable:  # everything entered stays on the page
                return _call_page(form, applicant, status=503, error=relative.problem)
            if relative.patient is None:
                form.relative_iin.errors.append(relative.problem)
                return _call_page(form, applicant, status=422)
            patient = relative.patient
            if _address_to_ask(form, applicant, patient):
                return _call_page(form, applicant, status=422)
    try:
        details = home_visits.CallDetails(
            address=form.address.data or "",
            complaint=form.complaint.data or "",
            callback_phone=form.callback_phone.data or "",
            temperature=home_visits.parse_temperature(form.temperature.data),
            red_flags=set(form.red_flags.data or []),
            applicant_kind="relative" if for_relative else "self",
            applicant_name=applicant.full_name if for_relative else "",
            applicant_relationship=(form.relationship.data or "") if for_relative else "",
        )
        visit = home_visits.call_doctor(
            patient,
            details,
            actor=Actor.applicant() if for_relative else Actor.patient(),
            channel=current_channel(),
            language=current_language(),
            applicant=applicant,
            notice_phone=applicant.phone,
            notice_language=applicant.language,
        )
    except home_visits.InvalidCall as invalid:
        target = getattr(form, _FORM_FIELDS.get(invalid.field or "", ""), None)
        if target is not None:
            target.errors = [*target.errors, invalid.message]
            return _call_page(form, applicant, status=422)
        return _call_page(form, applicant, error=invalid.message, status=422)
    except home_visits.DuplicateCall as duplicate:
        is_party = status_service.is_party(duplicate.visit.request, applicant.iin)
        message = home_visits.duplicate_message(duplicate.visit, detailed=is_party)
        return _call_page(form, applicant, error=message, duplicate=duplicate.visit, status=409)
    except home_visits.TooManyCalls as limited:
        return _call_page(form, applicant, error=limited.message, status=429)
    except home_visits.CallRefused as refused:
        log.info("home call %s refused online", refused.visit.number)
        visit = refused.visit
    return redirect_after_step(url_for("home_visits.show_call", number=visit.number))


def _address_to_ask(form: CallForm, applicant, relative) -> bool:
    """The form starts from the caller's own address. For a family member registered elsewhere (not the same
    household) that address is not taken silently: the caller is asked once to give where the doctor should
    come (the family member's address in the register is not shown to them)."""
    if form.address_checked.data or home_visits.same_household(applicant.address, relative.address):
        return False
    if not home_visits.same_household(form.address.data or "", applicant.address):
        return False  # the caller already typed another address
    form.address_checked.data = "1"
    form.address.errors = [
        *form.address.errors,
        _(
            "Your family member is registered at another address than yours. Type the address where the "
            "doctor should come, or send yours again if the patient is with you."
        ),
    ]
    return True


# Service field names -> form field names, where they differ.
_FORM_FIELDS = {
    "address": "address",
    "complaint": "complaint",
    "temperature": "temperature",
    "callback_phone": "callback_phone",
    "red_flags": "red_flags",
    "applicant_name": "relationship",
}


@bp.post("/signs")
def check_signs():
    """The emergency banner for the form's current values (htmx, while the form is being filled in)."""
    iin = current_patient_iin()
    applicant = patients.find_patient(iin) if iin else None
    form = CallForm()
    return render_template("home_visits/_emergency.html", signs=_signs_from(form, applicant), live=True)


# ---- the answer --------------------------------------------------------------------------------------
@bp.get("/<number>")
def show_call(number: str):
    visit = home_visits.find_by_number(number)
    if visit is None:
        abort(404)
    if not status_service.is_party(visit.request, current_patient_iin()):
        SIGN_IN.remember_next_page(url_for("home_visits.show_call", number=visit.number))
        return SIGN_IN.render_box(
            error=_(
                "To open call %(number)s, confirm it is yours with a code sent to your phone.",
                number=visit.number,
            ),
            status=403,
        )
    # A family member who called sees the patient's name masked: knowing an IIN must not reveal a name.
    viewer_is_patient = visit.patient.iin == current_patient_iin()
    return render_page(
        "home_visits/show.html",
        "home_visits/_answer.html",
        visit=visit,
        patient_name=visit.patient.full_name
        if viewer_is_patient and not current_kiosk()
        else visit.patient.masked_name,
        lines=home_visits.result_lines(visit),
        deferral=home_visits.deferral_message(visit),
        signs=set(visit.red_flags or []),
        polls=visit.status in ("waiting", "unassigned"),
        poll_seconds=POLL_SECONDS,
        refusal=home_visits.refusal_text(visit),
    )


@bp.post("/<number>/cancel")
def cancel_own_call(number: str):
    """The caller (or the patient) calls the visit off online, from the cabinet or the call's page, until
    the doctor has been; back to the page it was asked from (`next`), else the call's page."""
    visit = home_visits.find_by_number(number)
    if visit is None:
        abort(404)
    iin = current_patient_iin()
    if not status_service.is_party(visit.request, iin):
        SIGN_IN.remember_next_page(url_for("home_visits.show_call", number=visit.number))
        return SIGN_IN.render_box(
            error=_(
                "To open call %(number)s, confirm it is yours with a code sent to your phone.",
                number=visit.number,
            ),
            status=403,
        )
    actor = Actor.patient() if visit.patient.iin == iin else Actor.applicant()
    try:
        home_visits.cancel_call(visit, actor=actor, channel=current_channel())
    except home_visits.ChangeNotAllowed as refused:
        flash(str(refused.message), "error")
    else:
        flash(_("Call %(number)s is cancelled.", number=visit.number), "success")
    back = safe_next_path(request.form.get("next"), url_for("home_visits.show_call", number=visit.number))
    return redirect(back, 303)
