"""/status: follow a request or a complaint by its number and a one-time code; answer the survey.

A confirmed code for a request signs the person in as that IIN's patient (app.patient_auth), because the
code went to the phone on file for that IIN, as a sign-in code does; they then see all their requests.
A confirmed code for a complaint went to the phone written in the complaint, so it opens that complaint
only, for as long as a patient session lasts.
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
from app.core.clock import now
from app.core.i18n import current_language
from app.htmx import is_htmx_request, render_page
from app.models import Complaint, ServiceRequest
from app.notify import SMS_UNAVAILABLE_MESSAGE, SmsUnavailable
from app.patient_auth import current_patient_iin, sign_in_patient, sign_out_patient
from app.responses import pdf_response
from app.services import otp, survey
from app.services import status as status_service

CODE_SENT_KEY = "status_code_for"  # the number a code was last sent for in this browser
COMPLAINT_ACCESS_KEY = "status_complaints"  # complaint number -> when its code was confirmed


def _complaint_access_lifetime() -> float:
    idle = current_app.config["PATIENT_SESSION_IDLE"]
    return idle.total_seconds() if isinstance(idle, timedelta) else float(idle)


def _can_follow(item: ServiceRequest | Complaint) -> bool:
    iin = current_patient_iin()
    if isinstance(item, ServiceRequest):
        return status_service.is_party(item, iin)
    if iin and item.iin == iin:
        return True
    confirmed_at = session.get(COMPLAINT_ACCESS_KEY, {}).get(item.number)
    return confirmed_at is not None and now().timestamp() - confirmed_at < _complaint_access_lifetime()


def _grant_complaint(number: str) -> None:
    granted = {
        key: at
        for key, at in session.get(COMPLAINT_ACCESS_KEY, {}).items()
        if now().timestamp() - at < _complaint_access_lifetime()
    }
    granted[number] = now().timestamp()
    session[COMPLAINT_ACCESS_KEY] = granted


def _load(number: str) -> ServiceRequest | Complaint:
    item = status_service.find(number)
    if item is None:
        abort(404)
    return item


def _send_code(item) -> str | None:
    """Send a code for `item`; return the error to show, or None. The caller keeps the status below 400
    when the SMS failed, so the failed message stays in the outbox for staff to see."""
    try:
        status_service.send_code(item, ip=request.remote_addr or "", language=current_language())
    except status_service.StatusError as error:
        return str(error.message)
    except otp.OtpError as error:
        return error.message
    except SmsUnavailable:
        return str(SMS_UNAVAILABLE_MESSAGE)
    session[CODE_SENT_KEY] = item.number
    return None


@bp.route("/status", methods=["GET", "POST"])
def find_request():
    form = LookupForm(number=request.args.get("number", "")[:20])
    status = 200
    if form.validate_on_submit():
        item = status_service.find(form.number.data)
        if item is None:
            form.number.errors.append(_("No request or complaint has this number. Check it and try again."))
            status = 422
        elif _can_follow(item):
            return redirect(url_for("status.show_status", number=item.number), 303)
        else:
            error = _send_code(item)
            if error is None:
                return redirect(url_for("status.confirm_code", number=item.number), 303)
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
            requests=[status_service.describe(r) for r in status_service.requests_of(iin)] if iin else [],
            complaints=status_service.complaints_of(iin) if iin else [],
        ),
        status,
    )


@bp.route("/status/<number>/code", methods=["GET", "POST"])
def confirm_code(number: str):
    item = _load(number)
    if _can_follow(item):
        return redirect(url_for("status.show_status", number=item.number), 303)
    if session.get(CODE_SENT_KEY) != item.number:
        return redirect(url_for("status.find_request", number=item.number), 303)
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            status_service.confirm_code(item, form.code.data)
        except otp.OtpError as error:
            # 200, not 4xx: the wrong try was counted in the database and must be committed.
            form.code.errors.append(error.message)
        else:
            session.pop(CODE_SENT_KEY, None)
            if isinstance(item, Complaint):
                _grant_complaint(item.number)
            else:
                sign_in_patient(status_service.follower_iin(item))
            return redirect(url_for("status.show_status", number=item.number), 303)
    elif form.errors:
        status = 422
    return (
        render_template(
            "status/code.html", form=form, number=item.number, phone=status_service.masked_phone_of_code(item)
        ),
        status,
    )


@bp.post("/status/<number>/code/new")
def resend_code(number: str):
    item = _load(number)
    error = _send_code(item)
    if error is None:
        flash(_("A new code was sent."), "success")
    else:
        flash(error, "error")
    return redirect(url_for("status.confirm_code", number=item.number), 303)


@bp.get("/status/<number>")
def show_status(number: str):
    item = _load(number)
    if not _can_follow(item):
        if is_htmx_request():
            # A polling card whose session ended: replace it with a notice that does not poll again.
            return render_template("status/_session_ended.html", number=item.number)
        return redirect(url_for("status.find_request", number=item.number))
    if isinstance(item, Complaint):
        return render_page(
            "status/show.html",
            "status/_complaint_card.html",
            complaint=status_service.describe_complaint(item),
        )
    return _render_request(item, SurveyForm(formdata=None))


def _render_request(item: ServiceRequest, survey_form: SurveyForm, status: int = 200):
    return render_page(
        "status/show.html",
        "status/_request_card.html",
        status=status,
        view=status_service.describe(item, viewer_iin=current_patient_iin()),
        survey_form=survey_form,
        poll_seconds=current_app.config["STATUS_POLL_SECONDS"],
    )


@bp.post("/status/<number>/survey")
def answer_survey(number: str):
    item = _load(number)
    if isinstance(item, Complaint):
        abort(404)
    if not _can_follow(item):
        return redirect(url_for("status.find_request", number=item.number), 303)
    form = SurveyForm()
    if form.validate_on_submit():
        try:
            survey.record_answer(
                item, process=form.process_rating.data, information=form.information_rating.data
            )
        except survey.SurveyError as error:
            form.form_errors.append(str(error.message))
        else:
            flash(_("Thank you! Your answers help the clinic improve its services."), "success")
            return redirect(url_for("status.show_status", number=item.number), 303)
    return _render_request(item, form, status=422)


@bp.get("/status/<number>/document.pdf")
def download_document(number: str):
    """The stored PDF of the result (or of the reply to a complaint), exactly as issued."""
    item = _load(number)
    if not _can_follow(item):
        return redirect(url_for("status.find_request", number=item.number))
    if isinstance(item, Complaint):
        document = item.reply_document
    else:
        document = status_service.describe(item).result_document
    if document is None:
        abort(404)
    return pdf_response(document.pdf, f"{document.number}.pdf")


@bp.post("/status/sign-out")
def sign_out():
    sign_out_patient()
    session.pop(COMPLAINT_ACCESS_KEY, None)
    session.pop(CODE_SENT_KEY, None)
    flash(_("You have signed out."), "success")
    return redirect(url_for("status.find_request"), 303)


@bp.context_processor
def _helpers():
    return {"status_label": status_service.status_label}
