"""/status: follow a request by its number and a one-time code; answer the survey.

Every kind of request (a complaint too) takes the same road: the view reads what this browser has proved
(`_viewer()`), asks the status service once (`look_up`), and renders or redirects. A confirmed code that
went to the phone on file for an IIN signs the person in as that IIN's patient (app.patient_auth), as a
sign-in code does; they then see all their requests. A code that went to a phone written in the request
(a complaint's) opens that request only, for as long as a patient session lasts.
"""

from datetime import timedelta

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from app.blueprints.status import bp
from app.blueprints.status.forms import CodeForm, LookupForm, SurveyForm
from app.channels import client_key
from app.core.clock import now
from app.core.i18n import current_language
from app.htmx import is_htmx_request, render_page
from app.notify import SMS_UNAVAILABLE_MESSAGE, SmsUnavailable
from app.patient_auth import current_patient_iin, sign_in_patient, sign_out_patient
from app.responses import document_response
from app.services import otp, survey
from app.services import status as status_service

CODE_SENT_KEY = "status_code_for"  # the number a code was last sent for in this browser
GRANTED_KEY = "status_granted"  # request number -> when its code (to a phone in the request) was confirmed


def _grant_lifetime() -> float:
    idle = current_app.config["PATIENT_SESSION_IDLE"]
    return idle.total_seconds() if isinstance(idle, timedelta) else float(idle)


def _live_grants() -> dict[str, float]:
    return {
        number: at
        for number, at in session.get(GRANTED_KEY, {}).items()
        if now().timestamp() - at < _grant_lifetime()
    }


def _viewer() -> status_service.Viewer:
    return status_service.Viewer(iin=current_patient_iin(), granted=frozenset(_live_grants()))


def _grant(number: str) -> None:
    session[GRANTED_KEY] = {**_live_grants(), number: now().timestamp()}


def _look_up(number: str) -> status_service.Lookup:
    found = status_service.look_up(number, _viewer())
    if found is None:
        abort(404)
    return found


def _send_code(found: status_service.Lookup) -> str | None:
    """Send a code for the request; return the error to show, or None. The caller keeps the status below 400
    when the SMS failed, so the failed message stays in the outbox for staff to see."""
    try:
        status_service.send_code(found.request, ip=client_key(), language=current_language())
    except status_service.StatusError as error:
        return str(error.message)
    except otp.OtpError as error:
        return error.message
    except SmsUnavailable:
        return str(SMS_UNAVAILABLE_MESSAGE)
    session[CODE_SENT_KEY] = found.number
    return None


@bp.route("/status", methods=["GET", "POST"])
def find_request():
    form = LookupForm(number=request.args.get("number", "")[:20])
    status = 200
    if form.validate_on_submit():
        found = status_service.look_up(form.number.data, _viewer())
        if found is None:
            form.number.errors.append(_("No request or complaint has this number. Check it and try again."))
            status = 422
        elif found.followed:
            return redirect(url_for("status.show_status", number=found.number), 303)
        else:
            error = _send_code(found)
            if error is None:
                return redirect(url_for("status.confirm_code", number=found.number), 303)
            form.number.errors.append(error)
    elif form.errors:
        status = 422
    iin = current_patient_iin()
    return (
        render_template(
            "status/find.html",
            form=form,
            patient_iin=iin,
            masked_iin=status_service.mask_iin(iin),
            requests=status_service.my_requests(iin),
        ),
        status,
    )


@bp.route("/status/<number>/code", methods=["GET", "POST"])
def confirm_code(number: str):
    found = _look_up(number)
    if found.followed:
        return redirect(url_for("status.show_status", number=found.number), 303)
    if session.get(CODE_SENT_KEY) != found.number:
        return redirect(url_for("status.find_request", number=found.number), 303)
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            follower = status_service.confirm_code(found.request, form.code.data)
        except otp.OtpError as error:
            # 200, not 4xx: the wrong try was counted in the database and must be committed.
            form.code.errors.append(error.message)
        else:
            session.pop(CODE_SENT_KEY, None)
            if follower.proves_iin:
                sign_in_patient(follower.iin)
            else:
                _grant(found.number)
            return redirect(url_for("status.show_status", number=found.number), 303)
    elif form.errors:
        status = 422
    return (
        render_template(
            "status/code.html",
            form=form,
            number=found.number,
            phone=status_service.masked_phone_of_code(found.request),
        ),
        status,
    )


@bp.post("/status/<number>/code/new")
def resend_code(number: str):
    found = _look_up(number)
    error = _send_code(found)
    if error is None:
        flash(_("A new code was sent."), "success")
    else:
        flash(error, "error")
    return redirect(url_for("status.confirm_code", number=found.number), 303)


@bp.get("/status/<number>")
def show_status(number: str):
    found = _look_up(number)
    if not found.followed:
        if is_htmx_request():
            # A polling card whose session ended: replace it with a notice that does not poll again.
            return render_template("status/_session_ended.html", number=found.number)
        return redirect(url_for("status.find_request", number=found.number))
    return _render_request(found, SurveyForm(formdata=None).worded_for(found.request.channel))


def _render_request(found: status_service.Lookup, survey_form: SurveyForm, status: int = 200):
    return render_page(
        "status/show.html",
        "status/_request_card.html",
        status=status,
        view=found.view,
        survey_form=survey_form,
        poll_seconds=current_app.config["STATUS_POLL_SECONDS"],
    )


@bp.post("/status/<number>/survey")
def answer_survey(number: str):
    found = _look_up(number)
    if not found.surveyed:
        abort(404)
    if not found.followed:
        return redirect(url_for("status.find_request", number=found.number), 303)
    form = SurveyForm().worded_for(found.request.channel)
    if form.validate_on_submit():
        try:
            survey.record_answer(
                found.request, process=form.process_rating.data, information=form.information_rating.data
            )
        except survey.SurveyError as error:
            form.form_errors.append(str(error.message))
        else:
            flash(_("Thank you! Your answers help the clinic improve its services."), "success")
            return redirect(url_for("status.show_status", number=found.number), 303)
    return _render_request(found, form, status=422)


@bp.get("/status/<number>/document.pdf")
def download_document(number: str):
    """The stored PDF of the request's result (a complaint's: the reply letter), exactly as issued."""
    found = _look_up(number)
    if not found.followed:
        return redirect(url_for("status.find_request", number=found.number))
    document = found.view.result_document
    if document is None:
        abort(404)
    return document_response(document)


@bp.post("/status/sign-out")
def sign_out():
    sign_out_patient()
    session.pop(GRANTED_KEY, None)
    session.pop(CODE_SENT_KEY, None)
    flash(_("You have signed out."), "success")
    return redirect(url_for("status.find_request"), 303)
