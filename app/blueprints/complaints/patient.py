"""The public complaint form (web and kiosk) and what it registered.

A complaint is registered with a number and date and answered within 5 working days (regulation 004, items
10-11; Law «О государственных услугах», art. 25); the form and the receipt say where the person may go next.
The complainant follows it on /status with its number and a code sent to the phone in it. A patient signed
in with a code files it as themself (their IIN, fixed in the form, and their card); anyone else's complaint
is on nobody's card, whatever IIN it names.
"""

from flask import redirect, render_template, request, session, url_for

from app.blueprints.complaints import bp
from app.blueprints.complaints.forms import ComplaintForm, show_error, status_code
from app.channels import client_key, current_channel
from app.core.actors import Actor
from app.core.i18n import current_language
from app.patient_auth import current_patient_iin
from app.services import complaints

FILED_KEY = "complaint_filed"  # the number of the complaint this browser just filed, for its receipt


@bp.route("/complaints/new", methods=["GET", "POST"])
def file_complaint():
    form = ComplaintForm()
    proven_iin = current_patient_iin()
    if proven_iin:
        form.iin.data = proven_iin
        form.iin.render_kw = {"readonly": True}
    if request.method == "GET":
        form.related_number.data = request.args.get("request_number", "")[:20]
    if form.validate_on_submit():
        try:
            complaint = complaints.file_complaint(
                form.to_input(),
                channel=current_channel(),
                actor=Actor.applicant(),
                language=current_language(),
                ip=client_key(),
                proven_iin=proven_iin,
            )
        except complaints.ComplaintError as error:
            show_error(form, error)
        else:
            session[FILED_KEY] = complaint.number
            return redirect(url_for("complaints.show_filed"), 303)
    return render_template("complaints/new.html", form=form, terms=complaints.terms()), status_code(form)


@bp.get("/complaints/filed")
def show_filed():
    """What was registered: number, date, deadline; nothing personal, it is only for this browser."""
    number = session.get(FILED_KEY)
    complaint = complaints.find_by_number(number) if number else None
    if complaint is None:
        return redirect(url_for("complaints.file_complaint"))
    return render_template(
        "complaints/filed.html", complaint=complaint, terms=complaints.terms(complaint.deadline_at)
    )
