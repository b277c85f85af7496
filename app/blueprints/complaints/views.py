"""Complaints: the public form (web and kiosk), desk entry by a registrar, and the head's answers.

A complaint is registered with a number and date and due within 15 working days (regulation 004, items
10-12). The head answers in writing; the answer is issued as a reply letter (PDF through the document
engine) which the complainant reads on /status and receives by post.
"""

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import audit, roles_required
from app.blueprints.complaints import bp
from app.blueprints.complaints.forms import AnswerForm, ComplaintForm, DeskComplaintForm
from app.channels import current_channel
from app.core.actors import Actor
from app.core.clock import now
from app.core.i18n import current_language
from app.models import Complaint
from app.responses import pdf_response
from app.services import complaints as complaint_service
from app.services import status as status_service

FILED_KEY = "complaint_filed"  # the number of the complaint this browser just filed, for its receipt


def _input(form: ComplaintForm) -> complaint_service.ComplaintInput:
    return complaint_service.ComplaintInput(
        complainant_name=form.complainant_name.data or "",
        iin=form.iin.data or "",
        postal_address=form.postal_address.data or "",
        phone=form.phone.data or "",
        text=form.text.data or "",
        related_number=form.related_number.data or "",
    )


def _show_error(form, error: complaint_service.ComplaintError) -> None:
    field = form._fields.get(error.field) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))


# ---- public: web and kiosk ---------------------------------------------------------------------------


@bp.route("/complaints/new", methods=["GET", "POST"])
def file_complaint():
    form = ComplaintForm()
    if request.method == "GET":
        form.related_number.data = request.args.get("request_number", "")[:20]
    if form.validate_on_submit():
        try:
            complaint = complaint_service.file_complaint(
                _input(form),
                channel=current_channel(),
                actor=Actor.applicant(),
                language=current_language(),
                ip=request.remote_addr or "",
            )
        except complaint_service.ComplaintError as error:
            _show_error(form, error)
        else:
            session[FILED_KEY] = complaint.number
            return redirect(url_for("complaints.show_filed"), 303)
    return render_template("complaints/new.html", form=form), 422 if form.errors or form.form_errors else 200


@bp.get("/complaints/filed")
def show_filed():
    """What was registered: number, date, deadline; nothing personal, it is only for this browser."""
    number = session.get(FILED_KEY)
    complaint = complaint_service.find_by_number(number) if number else None
    if complaint is None:
        return redirect(url_for("complaints.file_complaint"))
    return render_template("complaints/filed.html", complaint=complaint)


# ---- staff: desk entry -------------------------------------------------------------------------------


@bp.route("/staff/complaints/new", methods=["GET", "POST"])
@roles_required("registrar", "head")
def file_desk_complaint():
    form = DeskComplaintForm()
    if request.method == "GET":
        form.language.data = current_language()
    if form.validate_on_submit():
        try:
            complaint = complaint_service.file_complaint(
                _input(form),
                channel="desk",
                actor=Actor.of_staff(current_user),
                language=form.language.data,
            )
        except complaint_service.ComplaintError as error:
            _show_error(form, error)
        else:
            audit("create", "complaint", object_id=complaint.number, patient_id=complaint.patient_id)
            flash(_("The complaint %(number)s is registered.", number=complaint.number), "success")
            return redirect(url_for("complaints.show_receipt", complaint_id=complaint.id), 303)
    return (
        render_template("complaints/desk_new.html", form=form),
        422 if form.errors or form.form_errors else 200,
    )


def _load(complaint_id: int) -> Complaint:
    complaint = complaint_service.get(complaint_id)
    if complaint is None:
        abort(404)
    return complaint


@bp.get("/staff/complaints/<int:complaint_id>/receipt")
@roles_required("registrar", "head")
def show_receipt(complaint_id: int):
    """The confirmation handed to the complainant (regulation 004, item 11): date and time, who accepted
    it, and when and where the answer is given. A registrar sees only the receipts of their own entries."""
    complaint = _load(complaint_id)
    if not current_user.has_role("head") and complaint.created_by_id != current_user.id:
        abort(403)
    audit("view", "complaint", object_id=complaint.number, patient_id=complaint.patient_id, detail="receipt")
    return render_template("complaints/receipt.html", complaint=complaint)


# ---- staff: the head ---------------------------------------------------------------------------------


@bp.get("/staff/complaints")
@roles_required("head")
def list_complaints():
    which = request.args.get("show", "open")
    if which not in complaint_service.LIST_FILTERS:
        which = "open"
    audit("view", "complaint_list", detail=f"show={which}")
    return render_template(
        "complaints/list.html",
        complaints=complaint_service.list_complaints(which),
        which=which,
        filters=complaint_service.LIST_FILTERS,
        moment=now(),
    )


@bp.route("/staff/complaints/<int:complaint_id>", methods=["GET", "POST"])
@roles_required("head")
def show_complaint(complaint_id: int):
    complaint = _load(complaint_id)
    if request.method == "GET":
        audit("view", "complaint", object_id=complaint.number, patient_id=complaint.patient_id)
        form = AnswerForm(formdata=None, answer_text=complaint.answer_text)
        return _render_complaint(complaint, form)
    form = AnswerForm()
    if form.validate():
        actor = Actor.of_staff(current_user)
        try:
            if request.form.get("action") == "send":
                complaint_service.answer(complaint, form.answer_text.data or "", actor=actor)
                message = _("The answer is issued. Print the letter and send it by post.")
            else:
                complaint_service.save_draft(complaint, form.answer_text.data or "", actor=actor)
                message = _("The draft is saved.")
        except complaint_service.ComplaintError as error:
            _show_error(form, error)
        else:
            detail = "answered" if complaint.status == "answered" else "draft saved"
            audit(
                "update",
                "complaint",
                object_id=complaint.number,
                patient_id=complaint.patient_id,
                detail=detail,
            )
            flash(message, "success")
            return redirect(url_for("complaints.show_complaint", complaint_id=complaint.id), 303)
    return _render_complaint(complaint, form, status=422)


def _render_complaint(complaint: Complaint, form: AnswerForm, status: int = 200):
    return (
        render_template("complaints/show.html", complaint=complaint, form=form, moment=now()),
        status,
    )


@bp.get("/staff/complaints/<int:complaint_id>/reply.pdf")
@roles_required("head")
def print_reply(complaint_id: int):
    complaint = _load(complaint_id)
    document = complaint.reply_document
    if document is None:
        abort(404)
    audit(
        "print",
        "complaint",
        object_id=complaint.number,
        patient_id=complaint.patient_id,
        detail=document.number,
    )
    return pdf_response(document.pdf, f"{document.number}.pdf")


@bp.context_processor
def _labels():
    return {"status_label": status_service.status_label, "channel_label": status_service.channel_label}
