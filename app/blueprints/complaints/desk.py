"""Complaints for staff: a registrar enters a written complaint handed in at the desk and gives the receipt;
the head lists the complaints, drafts and issues the written answer, and prints the reply letter. The
service records every look and change in the audit log."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import current_actor, roles_required
from app.blueprints.complaints import bp
from app.blueprints.complaints.forms import AnswerForm, DeskComplaintForm, show_error, status_code
from app.core.clock import now
from app.core.i18n import current_language
from app.models import Complaint
from app.responses import document_response
from app.services import complaints
from app.services.requests import channel_label, status_label


@bp.route("/staff/complaints/new", methods=["GET", "POST"])
@roles_required("registrar", "head")
def file_desk_complaint():
    form = DeskComplaintForm()
    if request.method == "GET":
        form.language.data = current_language()
    if form.validate_on_submit():
        try:
            complaint = complaints.file_complaint(
                form.to_input(), channel="desk", actor=current_actor(), language=form.language.data
            )
        except complaints.ComplaintError as error:
            show_error(form, error)
        else:
            flash(_("The complaint %(number)s is registered.", number=complaint.number), "success")
            return redirect(url_for("complaints.show_receipt", complaint_id=complaint.id), 303)
    return render_template("complaints/desk/new.html", form=form), status_code(form)


def _load(complaint_id: int) -> Complaint:
    complaint = complaints.get(complaint_id)
    if complaint is None:
        abort(404)
    return complaint


@bp.get("/staff/complaints/<int:complaint_id>/receipt")
@roles_required("registrar", "head")
def show_receipt(complaint_id: int):
    """The confirmation handed to the complainant (regulation 004, item 11): date and time, who accepted
    it, when (no later than) and where the answer is given, and where to go next (items 8, 12 and 14). A
    registrar sees only the receipts of their own entries."""
    complaint = _load(complaint_id)
    if not current_user.has_role("head") and complaint.created_by_id != current_user.id:
        abort(403)
    complaint = complaints.open_receipt(complaint, actor=current_actor())
    return render_template(
        "complaints/desk/receipt.html", complaint=complaint, terms=complaints.terms(complaint.deadline_at)
    )


@bp.get("/staff/complaints")
@roles_required("head")
def list_complaints():
    which = request.args.get("show", "open")
    which = which if which in complaints.LIST_FILTERS else "open"
    return render_template(
        "complaints/desk/list.html",
        complaints=complaints.open_list(which, actor=current_actor()),
        which=which,
        filters=complaints.LIST_FILTERS,
        moment=now(),
    )


@bp.route("/staff/complaints/<int:complaint_id>", methods=["GET", "POST"])
@roles_required("head")
def show_complaint(complaint_id: int):
    complaint = _load(complaint_id)
    if request.method == "GET":
        complaint = complaints.open_complaint(complaint, actor=current_actor())
        return _render_complaint(complaint, AnswerForm(formdata=None, answer_text=complaint.answer_text))
    form = AnswerForm()
    if form.validate():
        try:
            if request.form.get("action") == "send":
                complaints.answer(complaint, form.answer_text.data or "", actor=current_actor())
                message = _("The answer is issued. Print the letter and send it by post.")
            else:
                complaints.save_draft(complaint, form.answer_text.data or "", actor=current_actor())
                message = _("The draft is saved.")
        except complaints.ComplaintError as error:
            show_error(form, error)
        else:
            flash(message, "success")
            return redirect(url_for("complaints.show_complaint", complaint_id=complaint.id), 303)
    return _render_complaint(complaint, form, status=422)


def _render_complaint(complaint: Complaint, form: AnswerForm, status: int = 200):
    return (
        render_template("complaints/desk/show.html", complaint=complaint, form=form, moment=now()),
        status,
    )


@bp.get("/staff/complaints/<int:complaint_id>/reply.pdf")
@roles_required("head")
def print_reply(complaint_id: int):
    document = complaints.print_reply(_load(complaint_id), actor=current_actor())
    if document is None:
        abort(404)
    return document_response(document)


@bp.context_processor
def _labels():
    return {"status_label": status_label, "channel_label": channel_label}
