"""Staff views of urgent care: the live dispatch journal, registering a call (red flags: call 103 at once and
record the hand-over), one call (team, outcome, result, hand-over, cancel), the team's route list (page, PDF)
and the 7-hour compliance.

Who may do what: the nurse-registrar (urgent_nurse) takes calls, passes them to teams and registers results;
a team (urgent_doctor) reads the journal and its route and writes its outcome; the head may do all of it.
"""

from datetime import timedelta

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.auth import current_actor, roles_required
from app.blueprints.urgent_care import desk_bp
from app.blueprints.urgent_care.forms import CallForm, CancelForm, HandoverForm, OutcomeForm, TeamForm
from app.core.clock import ALMATY, local_now
from app.core.i18n import current_language
from app.core.inputs import to_day, to_id
from app.forms import with_own_ids
from app.htmx import render_page
from app.responses import document_response
from app.services import home_visits, urgent_care

NURSE_ROLES = ("urgent_nurse", "head")
JOURNAL_ROLES = ("urgent_nurse", "urgent_doctor", "head")
OUTCOME_ROLES = ("urgent_nurse", "urgent_doctor", "head")
JOURNAL_POLL_SECONDS = 20


@desk_bp.context_processor
def _labels() -> dict:
    return {
        "status_labels": urgent_care.STATUS_LABELS,
        "result_labels": urgent_care.RESULT_LABELS,
        "caller_labels": urgent_care.CALLER_LABELS,
        "urgency_labels": urgent_care.URGENCY_LABELS,
        "red_flag_labels": urgent_care.RED_FLAG_LABELS,
        "deadline_labels": urgent_care.DEADLINE_LABELS,
        "sex_labels": home_visits.SEX_LABELS,
    }


def _day_arg():
    return to_day(request.args.get("day")) or local_now().date()


# ---- the dispatch journal ----------------------------------------------------------------------------------
@desk_bp.get("/")
@roles_required(*JOURNAL_ROLES)
def show_journal():
    journal = urgent_care.open_journal(
        _day_arg(), actor=current_actor(), refresh=request.headers.get("HX-Trigger") == "urgent-journal"
    )
    return render_page(
        "urgent_care/desk/journal.html",
        "urgent_care/desk/_journal.html",
        journal=journal,
        day=journal.day,
        poll_seconds=JOURNAL_POLL_SECONDS,
        now=local_now(),
    )


# ---- registering a call ------------------------------------------------------------------------------------
def _call_page(form: CallForm, *, error=None, call_103=None, status=200):
    return render_page(
        "urgent_care/desk/new.html",
        None,
        status=status,
        form=form,
        error=error,
        call_103=call_103,
        department_open=urgent_care.is_department_open(local_now()),
    )


@desk_bp.get("/new")
@roles_required(*NURSE_ROLES)
def new_call():
    return _call_page(CallForm(formdata=None))


def _add_error(form, field_name: str | None, message) -> bool:
    target = getattr(form, field_name or "", None)
    if target is not None and hasattr(target, "errors"):
        target.errors = [*target.errors, message]
        return True
    return False


@desk_bp.post("/new")
@roles_required(*NURSE_ROLES)
def create_call():
    form = CallForm()
    if not form.validate():
        return _call_page(form, status=422)
    patient = None
    if (form.iin.data or "").strip():
        found = home_visits.find_patient(form.iin.data)
        if found.patient is None:
            _add_error(form, "iin", found.problem)
            return _call_page(form, status=422)
        patient = found.patient
    details = urgent_care.CallDetails(
        caller_kind=form.caller_kind.data,
        caller_name=form.caller_name.data or "",
        caller_phone=form.caller_phone.data or "",
        patient_name=form.patient_name.data or (patient.full_name if patient else ""),
        patient_age=form.patient_age.data,
        patient_sex=form.patient_sex.data or "",
        address=form.address.data or "",
        entrance=form.entrance.data or "",
        floor=form.floor.data or "",
        complaint=form.complaint.data or "",
        urgency_category=int(form.urgency_category.data),
        red_flags=set(form.red_flags.data or []),
    )
    try:
        call = urgent_care.register_call(
            details, actor=current_actor(), patient=patient, handover_note=form.handover_note.data or ""
        )
    except urgent_care.RedFlagsCall103 as red:
        form.red_flags.data = sorted(red.flags)
        return _call_page(form, call_103=red.message, status=422)
    except urgent_care.InvalidCall as invalid:
        if _add_error(form, invalid.field, invalid.message):
            return _call_page(form, status=422)
        return _call_page(form, error=invalid.message, status=422)
    if call.status == "handed_to_103":
        flash(_("Call %(number)s is recorded as handed to 103.", number=call.number), "warning")
    else:
        flash(
            _(
                "Call %(number)s is registered. The team must examine the patient by %(due)s.",
                number=call.number,
                due=call.examination_due_at.astimezone(ALMATY).strftime("%d.%m %H:%M"),
            ),
            "success",
        )
    return redirect(url_for("desk_urgent_care.show_call", number=call.number), 303)


# ---- one call ----------------------------------------------------------------------------------------------
def _call_or_404(number: str):
    call = urgent_care.find_by_number(number)
    if call is None:
        abort(404)
    return call


def _team_form(formdata=None) -> TeamForm:
    form = TeamForm(formdata=formdata)
    form.team.choices = [SelectChoice("", _("Choose a team"))] + [
        SelectChoice(str(team.id), team.full_name) for team in urgent_care.teams()
    ]
    return form


def _outcome_form(call, formdata=None) -> OutcomeForm:
    if formdata is not None:
        return OutcomeForm(formdata=formdata)
    moment = local_now().replace(second=0, microsecond=0, tzinfo=None)
    return OutcomeForm(
        formdata=None,
        arrived_at=call.arrived_at.astimezone(ALMATY).replace(tzinfo=None) if call.arrived_at else moment,
        examined_at=call.examined_at.astimezone(ALMATY).replace(tzinfo=None) if call.examined_at else moment,
        result=call.result,
        diagnosis=call.diagnosis_code,
        note=call.result_note,
    )


def _render_call(call, *, team_form=None, outcome_form=None, handover_form=None, error=None, status=200):
    is_nurse = current_user.has_role(*NURSE_ROLES)
    return render_page(
        "urgent_care/desk/show.html",
        None,
        status=status,
        call=call,
        state=urgent_care.deadline_state(call),
        team_form=(team_form or _team_form())
        if is_nurse and call.status in ("registered", "passed")
        else None,
        outcome_form=(outcome_form or _outcome_form(call))
        if current_user.has_role(*OUTCOME_ROLES) and call.status in ("passed", "arrived", "examined")
        else None,
        can_register_result=is_nurse and call.status == "examined",
        handover_form=(handover_form or HandoverForm(formdata=None)) if call.is_live else None,
        cancel_form=CancelForm(formdata=None)
        if is_nurse and call.status in ("registered", "passed")
        else None,
        error=error,
        result_due=urgent_care.result_due(call.examined_at) if call.examined_at else None,
    )


@desk_bp.get("/<number>")
@roles_required(*JOURNAL_ROLES)
def show_call(number: str):
    call = urgent_care.open_call(_call_or_404(number), actor=current_actor())
    return _render_call(call)


@desk_bp.post("/<number>/team")
@roles_required(*NURSE_ROLES)
def pass_to_team(number: str):
    call = _call_or_404(number)
    form = _team_form(formdata=request.form)
    if not form.validate():
        return _render_call(call, team_form=form, status=422)
    team = urgent_care.find_team(to_id(form.team.data))
    if team is None:
        abort(404)
    try:
        urgent_care.pass_to_team(call, team, actor=current_actor())
    except urgent_care.ChangeNotAllowed as refused:
        return _render_call(call, error=refused.message, status=409)
    flash(_("Call %(number)s is passed to %(team)s.", number=call.number, team=team.full_name), "success")
    return redirect(url_for("desk_urgent_care.show_call", number=call.number), 303)


@desk_bp.post("/<number>/outcome")
@roles_required(*OUTCOME_ROLES)
def record_outcome(number: str):
    call = _call_or_404(number)
    is_team_only = current_user.has_role("urgent_doctor") and not current_user.has_role(*NURSE_ROLES)
    if is_team_only and call.team_id != current_user.id:
        abort(403)
    form = _outcome_form(call, formdata=request.form)
    if not form.validate():
        return _render_call(call, outcome_form=form, status=422)
    try:
        outcome = urgent_care.Outcome(
            arrived_at=form.arrived_at.data.replace(tzinfo=ALMATY),
            examined_at=form.examined_at.data.replace(tzinfo=ALMATY),
            result=form.result.data,
            diagnosis_code=form.diagnosis.data or "",
            note=form.note.data or "",
        )
        urgent_care.record_outcome(call, outcome, actor=current_actor())
    except urgent_care.InvalidCall as invalid:
        if _add_error(form, invalid.field, invalid.message):
            return _render_call(call, outcome_form=form, status=422)
        return _render_call(call, outcome_form=form, error=invalid.message, status=422)
    except urgent_care.ChangeNotAllowed as refused:
        return _render_call(call, error=refused.message, status=409)
    flash(_("Call %(number)s: the team's result is written; register it.", number=call.number), "success")
    return redirect(
        request.form.get("next") or url_for("desk_urgent_care.show_call", number=call.number), 303
    )


@desk_bp.post("/<number>/result")
@roles_required(*NURSE_ROLES)
def register_result(number: str):
    call = _call_or_404(number)
    form = CancelForm()  # only the CSRF token
    if not form.validate():
        return _render_call(call, status=422)
    try:
        urgent_care.register_result(call, actor=current_actor())
    except urgent_care.ChangeNotAllowed as refused:
        return _render_call(call, error=refused.message, status=409)
    flash(_("Call %(number)s: the result is registered.", number=call.number), "success")
    return redirect(url_for("desk_urgent_care.show_call", number=call.number), 303)


@desk_bp.post("/<number>/handover")
@roles_required(*JOURNAL_ROLES)
def hand_to_103(number: str):
    call = _call_or_404(number)
    form = HandoverForm()
    if not form.validate():
        return _render_call(call, handover_form=form, status=422)
    try:
        urgent_care.hand_to_103(call, form.handover_note.data or "", actor=current_actor())
    except urgent_care.InvalidCall as invalid:
        _add_error(form, invalid.field, invalid.message)
        return _render_call(call, handover_form=form, status=422)
    except urgent_care.ChangeNotAllowed as refused:
        return _render_call(call, error=refused.message, status=409)
    flash(_("Call %(number)s is recorded as handed to 103.", number=call.number), "warning")
    return redirect(url_for("desk_urgent_care.show_call", number=call.number), 303)


@desk_bp.post("/<number>/cancel")
@roles_required(*NURSE_ROLES)
def cancel_call(number: str):
    call = _call_or_404(number)
    form = CancelForm()
    if not form.validate():
        return _render_call(call, status=422)
    try:
        urgent_care.cancel_call(call, form.note.data or "", actor=current_actor())
    except urgent_care.ChangeNotAllowed as refused:
        return _render_call(call, error=refused.message, status=409)
    flash(_("Call %(number)s is cancelled.", number=call.number), "success")
    return redirect(url_for("desk_urgent_care.show_call", number=call.number), 303)


# ---- a team's route list -----------------------------------------------------------------------------------
def _route_team():
    """A team sees its own route; the nurse-registrar and the head any team's (?team=)."""
    if current_user.has_role(*NURSE_ROLES):
        return urgent_care.find_team(to_id(request.args.get("team"))) or (
            urgent_care.find_team(current_user.id) if current_user.has_role("urgent_doctor") else None
        )
    return current_user


@desk_bp.get("/route")
@roles_required(*JOURNAL_ROLES)
def show_route():
    day, team = _day_arg(), _route_team()
    calls = urgent_care.open_route(team, day, actor=current_actor()) if team else []
    return render_page(
        "urgent_care/desk/route.html",
        None,
        day=day,
        team=team,
        calls=calls,
        teams=urgent_care.teams() if current_user.has_role(*NURSE_ROLES) else [],
        forms={call.id: with_own_ids(_outcome_form(call), f"call-{call.id}") for call in calls},
    )


@desk_bp.get("/route.pdf")
@roles_required(*JOURNAL_ROLES)
def print_route():
    day, team = _day_arg(), _route_team()
    if team is None:
        abort(404)
    document = urgent_care.print_route(team, day, actor=current_actor(), language=current_language())
    return document_response(document, f"urgent-route-{team.id}-{day.isoformat()}.pdf")


# ---- monitoring: the 7 hours -------------------------------------------------------------------------------
@desk_bp.get("/compliance")
@roles_required(*NURSE_ROLES)
def show_compliance():
    end = to_day(request.args.get("end")) or local_now().date()
    start = to_day(request.args.get("start")) or end - timedelta(days=6)
    if start > end or (end - start).days > 366:
        start, end = end - timedelta(days=6), end
    report = urgent_care.compliance(start, end, actor=current_actor())
    return render_page("urgent_care/desk/compliance.html", None, report=report)
