"""Staff views of inpatient extracts: the attending or duty doctor writes and signs the discharge summary, the
head of department signs with the surname in full, the senior nurse stamps, the discharge desk (registrar)
hands it over; the journal of issued extracts; the admin switches the day hospital module. The sign-off
(app.services.signoff) decides who may do the current step: a step posted by a role that does not hold it is
refused there and audited (the page answers 200 with the message, so the audit entry is kept)."""

from flask import abort, request, url_for
from wtforms.fields.choices import SelectChoice

from app import issued_journals, signoff_desk
from app.auth import current_actor, roles_required
from app.blueprints.inpatient_extracts import desk_bp
from app.blueprints.inpatient_extracts.forms import (
    HandOverForm,
    HeadForm,
    ModuleForm,
    SendBackForm,
    StampForm,
    SummaryForm,
)
from app.core.clock import local_now
from app.core.i18n import current_language
from app.htmx import is_htmx_request, redirect_after_step, render_page
from app.services import inpatient_extracts, modules, signoff

STEP_ROLES = ("doctor", "head_of_department", "senior_nurse", "registrar")
STAFF_ROLES = (*STEP_ROLES, "head")


def _off_page(status: int = 200):
    return render_page(
        "inpatient_extracts/desk/off.html", None, status=status, message=inpatient_extracts.MODULE_OFF
    )


# ---- the admin's switch -----------------------------------------------------------------------------------
@desk_bp.route("/module", methods=["GET", "POST"])
@roles_required("admin")
def switch_module():
    form = ModuleForm()
    if request.method == "POST" and form.validate():
        modules.switch(inpatient_extracts.MODULE, bool(form.enabled.data), actor=current_actor())
        return redirect_after_step(url_for(".switch_module"))
    form = ModuleForm(formdata=None, enabled=inpatient_extracts.is_offered())
    return render_page("inpatient_extracts/desk/module.html", None, form=form)


# ---- the queue ------------------------------------------------------------------------------------------
@desk_bp.get("/")
@roles_required(*STAFF_ROLES)
def show_queue():
    if not inpatient_extracts.is_offered():
        return _off_page()
    roles = [role for role in STEP_ROLES if current_actor().staff.has_role(role)]
    items = signoff.open_queue(roles, actor=current_actor(), service_slug=inpatient_extracts.SERVICE)
    return render_page(
        "inpatient_extracts/desk/queue.html",
        "signoff/_queue.html",
        items=items,
        queue_url=url_for(".show_queue"),
        now=local_now(),
    )


# ---- step 1: the doctor writes the discharge summary ------------------------------------------------------


def _summary_page(form, patient=None, *, problem=None, status=200):
    return render_page(
        "inpatient_extracts/desk/new.html", None, status=status, form=form, patient=patient, problem=problem
    )


@desk_bp.get("/new")
@roles_required("doctor")
def new_extract():
    if not inpatient_extracts.is_offered():
        return _off_page()
    raw_iin = request.args.get("iin", "").strip()
    form = SummaryForm(formdata=None, iin=raw_iin)
    if not raw_iin:
        return _summary_page(form)
    patient, problem = signoff_desk.patient_for(raw_iin, inpatient_extracts.IIN_INVALID)
    if patient is None:
        return _summary_page(form, problem=problem, status=422)
    inpatient_extracts.open_patient(patient, actor=current_actor())
    return _summary_page(form, patient)


@desk_bp.post("/new")
@roles_required("doctor")
def write_summary():
    if not inpatient_extracts.is_offered():
        return _off_page(409)
    form = SummaryForm()
    patient, problem = signoff_desk.patient_for(form.iin.data, inpatient_extracts.IIN_INVALID)
    if patient is None:
        return _summary_page(form, problem=problem, status=422)
    if not form.validate():
        return _summary_page(form, patient, status=422)
    try:
        extract_request = inpatient_extracts.write_summary(
            patient, form.summary(), actor=current_actor(), language=current_language()
        )
    except (inpatient_extracts.ExtractError, signoff.SignoffError) as error:
        signoff_desk.attach_error(form, error)
        return _summary_page(form, patient, problem=error.message, status=422)
    return redirect_after_step(url_for(".show_request", number=extract_request.number))


# ---- one extract: its steps and the current step's form ---------------------------------------------------
def _find(number: str):
    found = inpatient_extracts.find_by_number(number)
    if found is None:
        abort(404)
    return found


def _summary_form_of(extract) -> SummaryForm:
    return SummaryForm(
        formdata=None,
        card_number=extract.card_number,
        department=extract.department,
        admitted_on=extract.admitted_on,
        discharged_on=extract.discharged_on,
        main_diagnosis=extract.main_diagnosis,
        other_diagnoses=", ".join(extract.other_diagnoses or ()),
        examinations=extract.examinations,
        treatment=extract.treatment,
        condition=extract.condition,
        recommendations=extract.recommendations,
        sick_leave=extract.sick_leave,
    )


def _send_back_form(found, form=None) -> SendBackForm:
    form = form or SendBackForm(formdata=None)
    current = signoff.current_step(found)
    earlier = []
    for step in signoff.steps_of(found):
        if current is None or step.code == current.code:
            break
        earlier.append(SelectChoice(step.code, str(step.title)))
    form.to_step.choices = list(reversed(earlier))
    return form


def _request_page(found, *, forms=None, error=None, status=200):
    forms = forms or {}
    return render_page(
        "inpatient_extracts/desk/show.html",
        "inpatient_extracts/desk/_request.html",
        status=status,
        found=found,
        extract=found.inpatient_extract,
        current=signoff.current_step(found),
        progress=signoff.progress(found),
        send_backs=signoff.send_backs(found),
        summary_form=forms.get("summary") or _summary_form_of(found.inpatient_extract),
        head_form=forms.get("head") or HeadForm(formdata=None),
        stamp_form=forms.get("stamp") or StampForm(formdata=None),
        hand_over_form=forms.get("hand_over") or HandOverForm(formdata=None),
        send_back_form=_send_back_form(found, forms.get("send_back")),
        diagnosis_title=lambda code: inpatient_extracts.title(code, current_language()),
        error=error,
    )


@desk_bp.get("/<number>")
@roles_required(*STAFF_ROLES)
def show_request(number):
    if not inpatient_extracts.is_offered():
        return _off_page()
    found = inpatient_extracts.open_request(_find(number), actor=current_actor())
    return _request_page(found)


def _step(number: str, name: str, form, action):
    """Run one step's action with its form; the panel again, with the message when it is refused."""
    if not inpatient_extracts.is_offered():
        return _off_page(409)
    found = _find(number)
    if not form.validate():
        return _request_page(found, forms={name: form}, status=200 if is_htmx_request() else 422)
    try:
        action(found, form)
    except (inpatient_extracts.ExtractError, signoff.SignoffError) as error:
        signoff_desk.attach_error(form, error)
        return _request_page(
            found, forms={name: form}, error=error.message, status=signoff_desk.error_status(error)
        )
    return _request_page(found)


@desk_bp.post("/<number>/summary")
@roles_required(*STEP_ROLES)
def rewrite_summary(number):
    return _step(
        number,
        "summary",
        SummaryForm(),
        lambda found, form: inpatient_extracts.rewrite_summary(found, form.summary(), actor=current_actor()),
    )


@desk_bp.post("/<number>/head")
@roles_required(*STEP_ROLES)
def sign_as_head(number):
    return _step(
        number,
        "head",
        HeadForm(),
        lambda found, form: inpatient_extracts.sign_as_head(
            found, surname=form.surname.data or "", actor=current_actor()
        ),
    )


@desk_bp.post("/<number>/stamp")
@roles_required(*STEP_ROLES)
def stamp(number):
    return _step(
        number,
        "stamp",
        StampForm(),
        lambda found, form: inpatient_extracts.stamp(
            found, stamped=bool(form.stamped.data), actor=current_actor()
        ),
    )


@desk_bp.post("/<number>/hand-over")
@roles_required(*STEP_ROLES)
def hand_over(number):
    return _step(
        number,
        "hand_over",
        HandOverForm(),
        lambda found, form: inpatient_extracts.hand_over(
            found,
            identity_document=form.identity_document.data or "",
            handed_to=form.handed_to.data or "",
            actor=current_actor(),
        ),
    )


@desk_bp.post("/<number>/send-back")
@roles_required(*STEP_ROLES)
def send_back(number):
    found = _find(number) if inpatient_extracts.is_offered() else None
    form = _send_back_form(found, SendBackForm()) if found is not None else SendBackForm()
    return _step(
        number,
        "send_back",
        form,
        lambda found, form: inpatient_extracts.send_back(
            found, reason=form.reason.data or "", to_step=form.to_step.data, actor=current_actor()
        ),
    )


# ---- the issued extract, the journal of issued extracts -------------------------------------------------
issued_journals.add_routes(
    desk_bp,
    issued_journals.IssuedJournal(
        name="journal",
        open_rows=inpatient_extracts.open_journal,
        page="inpatient_extracts/desk/journal.html",
        fragment="inpatient_extracts/desk/_journal.html",
        template="documents/inpatient_extract_journal.html",
        filename="inpatient-extracts",
    ),
    roles=STAFF_ROLES,
    document_url="/<number>/extract.pdf",
    document_endpoint="print_extract",
    find=_find,
)
