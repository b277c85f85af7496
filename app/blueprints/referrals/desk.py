"""Staff views of hospitalization referrals: the list by status and by receiving hospital (with the Bureau's
queue), the review of a patient's package (send to the Bureau, or a medical decision), one referral (the
Bureau's answer typed in or asked of the gateway, send again, hand over, the talon PDF).

Who: the clinic's referral specialist (the attending doctor or hospitalization coordinator) and the head.
"""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from app.auth import current_actor, roles_required
from app.blueprints.referrals import desk_bp
from app.blueprints.referrals.forms import ActionForm, AnswerForm, ReviewForm
from app.core.clock import now
from app.core.i18n import current_language
from app.core.inputs import search_text, to_day
from app.htmx import render_page
from app.models.referrals import REFERRAL_STATUSES
from app.registries import hospitalization as bureau
from app.responses import document_response
from app.services import home_visits, referrals

ROLES = ("referral_specialist", "head")


@desk_bp.context_processor
def _labels() -> dict:
    return {
        "status_labels": referrals.STATUS_LABELS,
        "profile_labels": referrals.PROFILE_LABELS,
        "examination_labels": referrals.EXAMINATION_LABELS,
        "problem_labels": referrals.PROBLEM_LABELS,
        "decision_labels": referrals.DECISION_LABELS,
        "validity": referrals.examinations(),
        "now_utc": now(),
    }


# ---- the list --------------------------------------------------------------------------------------------
@desk_bp.get("/")
@roles_required(*ROLES)
def list_referrals():
    status = request.args.get("status")
    status = status if status in REFERRAL_STATUSES else None
    hospital = search_text(request.args.get("hospital")) or None
    found = referrals.open_list(status=status, hospital=hospital, actor=current_actor())
    return render_page(
        "referrals/desk/list.html",
        "referrals/desk/_list.html",
        found=found,
        status=status,
        hospital=hospital,
        statuses=REFERRAL_STATUSES,
        action_form=ActionForm(formdata=None),
    )


@desk_bp.post("/retry-queue")
@roles_required(*ROLES)
def retry_queue():
    if not ActionForm().validate():
        abort(400)
    taken, waiting = referrals.retry_queue(actor=current_actor(), referrals=referrals.queued())
    if waiting:
        flash(str(referrals.BUREAU_UNAVAILABLE_MESSAGE), "warning")
    flash(
        _("Sent to the Bureau: %(taken)s; still waiting: %(waiting)s.", taken=taken, waiting=waiting), "info"
    )
    return redirect(url_for("desk_referrals.list_referrals"), 303)


# ---- the review of a package ------------------------------------------------------------------------------
def _dates_from(form_data, profile: str) -> dict:
    """The checklist's dates as typed (exam_<code>), read for the profile's examinations only."""
    return {code: to_day(form_data.get(f"exam_{code}")) for code in referrals.required_for(profile)}


def _review_page(form, patient, *, problem=None, error=None, problems=None, dates=None, status=200):
    profile = form.profile.data if form.profile.data in referrals.PROFILES else ""
    return render_page(
        "referrals/desk/new.html",
        None,
        status=status,
        form=form,
        patient=patient,
        iin=form.iin.data or request.args.get("iin", ""),
        problem=problem,
        error=error,
        problems=problems or {},
        dates=dates or {},
        required=referrals.required_for(profile),
    )


@desk_bp.get("/new")
@roles_required(*ROLES)
def new_referral():
    raw_iin = request.args.get("iin", "").strip()
    form = ReviewForm(formdata=None, iin=raw_iin, profile=request.args.get("profile", ""))
    if not raw_iin:
        return _review_page(form, None)
    found = home_visits.find_patient(raw_iin)
    if found.patient is None:
        return _review_page(form, None, problem=found.problem, status=422)
    form.iin.data = found.patient.iin
    return _review_page(form, found.patient)


@desk_bp.get("/checklist")
@roles_required(*ROLES)
def show_checklist():
    """The checklist of the profile chosen (htmx, when the profile changes)."""
    profile = request.args.get("profile", "")
    return render_page(
        "referrals/desk/_checklist.html",
        "referrals/desk/_checklist.html",
        required=referrals.required_for(profile),
        dates=_dates_from(request.args, profile),
        problems={},
    )


@desk_bp.post("/new")
@roles_required(*ROLES)
def create_referral():
    form = ReviewForm()
    found = home_visits.find_patient(form.iin.data or "")
    if found.patient is None:
        return _review_page(form, None, problem=found.problem, status=422)
    patient = found.patient
    dates = _dates_from(request.form, form.profile.data or "")
    if not form.validate():
        return _review_page(form, patient, dates=dates, status=422)
    try:
        package = referrals.Package(
            profile=form.profile.data,
            diagnosis_code=form.diagnosis.data or "",
            preferred_hospital=form.preferred_hospital.data or "",
            examinations={key: value for key, value in dates.items() if value},
        )
        if form.decision.data == "send":
            referral = referrals.review_and_send(patient, package, actor=current_actor())
        else:
            referral = referrals.record_decision(
                patient, package, form.decision.data, form.reason.data or "", actor=current_actor()
            )
    except referrals.InvalidReferral as invalid:
        target = getattr(form, invalid.field or "", None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, invalid.message]
            return _review_page(form, patient, dates=dates, status=422)
        return _review_page(
            form, patient, error=invalid.message, problems=invalid.problems, dates=dates, status=422
        )
    if referral.status == "queued":
        flash(str(referrals.BUREAU_UNAVAILABLE_MESSAGE), "warning")
    else:
        flash(
            _(
                "Referral %(number)s: %(status)s.",
                number=referral.number,
                status=referrals.STATUS_LABELS[referral.status],
            ),
            "success",
        )
    return redirect(url_for("desk_referrals.show_referral", number=referral.number), 303)


# ---- one referral -----------------------------------------------------------------------------------------
def _referral_or_404(number: str):
    referral = referrals.find_by_number(number)
    if referral is None:
        abort(404)
    return referral


def _render(referral, *, answer_form=None, error=None, status=200):
    return render_page(
        "referrals/desk/show.html",
        None,
        status=status,
        referral=referral,
        rows=referrals.examination_rows(referral),
        answer_form=(answer_form or AnswerForm(formdata=None))
        if referral.status in ("at_bureau", "dated")
        else None,
        action_form=ActionForm(formdata=None),
        gateway_answers=bureau.get_bureau().answers_by_itself,
        error=error,
    )


@desk_bp.get("/<number>")
@roles_required(*ROLES)
def show_referral(number: str):
    return _render(referrals.open_referral(_referral_or_404(number), actor=current_actor()))


@desk_bp.post("/<number>/send")
@roles_required(*ROLES)
def send_again(number: str):
    referral = _referral_or_404(number)
    if not ActionForm().validate():
        return _render(referral, status=422)
    try:
        taken = referrals.send(referral, actor=current_actor())
    except referrals.ChangeNotAllowed as refused:
        return _render(referral, error=refused.message, status=409)
    if not taken:
        return _render(referral, error=referrals.BUREAU_UNAVAILABLE_MESSAGE, status=503)
    flash(_("Referral %(number)s is sent to the Bureau.", number=referral.number), "success")
    return redirect(url_for("desk_referrals.show_referral", number=referral.number), 303)


@desk_bp.post("/<number>/ask")
@roles_required(*ROLES)
def ask_bureau(number: str):
    referral = _referral_or_404(number)
    if not ActionForm().validate():
        return _render(referral, status=422)
    try:
        dated = referrals.ask_bureau(referral, actor=current_actor())
    except bureau.BureauUnavailable:
        return _render(referral, error=referrals.BUREAU_UNAVAILABLE_MESSAGE, status=503)
    except (referrals.ChangeNotAllowed, bureau.TicketUnknown):
        return _render(referral, error=_("The Bureau has no answer for this referral."), status=409)
    if dated:
        flash(_("The Bureau gave the date."), "success")
    else:
        flash(_("The Bureau has not given the date yet."), "info")
    return redirect(url_for("desk_referrals.show_referral", number=referral.number), 303)


@desk_bp.post("/<number>/answer")
@roles_required(*ROLES)
def record_answer(number: str):
    referral = _referral_or_404(number)
    form = AnswerForm()
    if not form.validate():
        return _render(referral, answer_form=form, status=422)
    try:
        referrals.record_answer(
            referral,
            form.bureau_code.data or "",
            form.hospital.data or "",
            form.hospitalization_date.data,
            actor=current_actor(),
        )
    except referrals.InvalidReferral as invalid:
        target = getattr(form, invalid.field or "", None)
        if target is not None:
            target.errors = [*target.errors, invalid.message]
        return _render(referral, answer_form=form, status=422)
    except referrals.ChangeNotAllowed as refused:
        return _render(referral, error=refused.message, status=409)
    flash(
        _("Referral %(number)s: the date is recorded; the patient gets an SMS.", number=referral.number),
        "success",
    )
    return redirect(url_for("desk_referrals.show_referral", number=referral.number), 303)


@desk_bp.post("/<number>/hand-over")
@roles_required(*ROLES)
def hand_over(number: str):
    referral = _referral_or_404(number)
    if not ActionForm().validate():
        return _render(referral, status=422)
    try:
        referrals.hand_over(referral, actor=current_actor())
    except referrals.ChangeNotAllowed as refused:
        return _render(referral, error=refused.message, status=409)
    flash(_("Referral %(number)s is stamped and handed over.", number=referral.number), "success")
    return redirect(url_for("desk_referrals.show_referral", number=referral.number), 303)


@desk_bp.get("/<number>/talon.pdf")
@roles_required(*ROLES)
def print_talon(number: str):
    referral = _referral_or_404(number)
    if referral.status not in ("dated", "handed_over"):
        abort(404)
    language = request.args.get("lang") if request.args.get("lang") in ("kk", "ru") else current_language()
    document = referrals.print_talon(referral, actor=current_actor(), language=language)
    return document_response(document, f"talon-{referral.number}-{language}.pdf")
