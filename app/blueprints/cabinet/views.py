"""The personal cabinet (/my/): after one code, every request of the person, of every service, with the
regulations' portal columns (IIN, request number, service, status, deadline), a refresh button, the result
when it is ready, and what the person may still do with each request (move, cancel) where the service allows.

Nothing here knows a service: the list is the request kernel's (app.services.status.my_requests), the
person's words for the status and the actions come from each service's hooks (app.services.request_summary),
so a service added later appears in the cabinet by registering them. A request without an IIN (an anonymous
HIV test) belongs to nobody's cabinet.
"""

from flask import abort, redirect, render_template, url_for

from app.blueprints.cabinet import bp
from app.blueprints.cabinet.forms import CodeForm, IinForm
from app.htmx import is_htmx_request
from app.patient_auth import current_patient_iin
from app.patient_sign_in import PatientSignIn
from app.services import status as status_service

SIGN_IN = PatientSignIn(
    blueprint="cabinet",
    start_endpoint="start",
    landing_endpoint="cabinet.show_requests",
    page_template="cabinet/start.html",
    fragment_template="cabinet/_identify.html",
    iin_form=IinForm,
    code_form=CodeForm,
)


@bp.get("/")
def start():
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


@bp.get("/requests")
def show_requests():
    iin = current_patient_iin()
    if iin is None:
        return redirect(url_for("cabinet.start"))
    return render_template(
        "cabinet/requests.html",
        masked_iin=status_service.mask_iin(iin),
        requests=status_service.my_requests(iin),
    )


@bp.get("/requests/<number>")
def refresh_request(number: str):
    """One request's row, fresh (the refresh button swaps it in with htmx); a plain visit opens its page."""
    iin = current_patient_iin()
    if iin is None:
        if is_htmx_request():
            return render_template("cabinet/_session_ended.html")
        return redirect(url_for("cabinet.start"))
    item = status_service.my_request(iin, number)
    if item is None:
        abort(404)
    if not is_htmx_request():
        return redirect(url_for("status.show_status", number=item.number))
    return render_template("cabinet/_request.html", item=item)
