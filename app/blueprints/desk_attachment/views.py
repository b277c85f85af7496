"""The registry desk's side of attachment: in-person applications, the decision queue, approving or refusing,
printing the talon or the refusal, the files people brought, and the attached population.

Each handler loads, checks access (roles_required), calls one service and renders; every view or print of a
person's data and every change is audited.
"""

import logging

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.auth import audit, roles_required
from app.blueprints.desk_attachment import bp
from app.blueprints.desk_attachment.forms import ApproveForm, DeskApplicationForm, RefuseForm
from app.core.actors import Actor
from app.core.clock import now
from app.core.i18n import current_language
from app.extensions import db
from app.htmx import render_page
from app.models import District
from app.registries import RegistryUnavailable
from app.responses import file_response, pdf_response
from app.services import attachment as attachment_service
from app.services import registry_pending, uploads
from app.services.status import channel_label, status_label

log = logging.getLogger(__name__)

DESK_ROLES = ("registrar", "head")
REGISTRY_DOWN = _l(
    "The register of attached population is not answering right now. Nothing has changed; try again in a "
    "few minutes."
)


def _application_or_404(number: str):
    application = attachment_service.find_by_number(number)
    if application is None:
        abort(404)
    return application


# ---- the queue -------------------------------------------------------------------------------------------
@bp.get("/")
@roles_required(*DESK_ROLES)
def list_queue():
    applications = attachment_service.open_applications()
    audit("view", "attachment_queue", detail=f"{len(applications)} open applications listed")
    moment = now()
    rows = [
        {
            "application": application,
            "request": application.request,
            "state": attachment_service.deadline_state(application.request, moment),
            "status_text": status_label(application.request.status),
        }
        for application in applications
    ]
    return render_page(
        "desk_attachment/queue.html",
        "desk_attachment/_queue.html",
        rows=rows,
        overdue=sum(1 for row in rows if row["state"] == "overdue"),
        due_soon=sum(1 for row in rows if row["state"] == "due_soon"),
        reasons=attachment_service.REASON_LABELS,
        channel_label=channel_label,
    )


# ---- an application made in person -----------------------------------------------------------------------
@bp.route("/new", methods=["GET", "POST"])
@roles_required(*DESK_ROLES)
def new_application():
    form = DeskApplicationForm()
    form.fill_doctor_choices()
    if request.method == "GET":
        form.language.data = current_language()
    error = None
    if request.method == "POST" and form.validate():
        data = attachment_service.ApplicationInput(
            iin=form.iin.data,
            address=form.address.data,
            reason=form.reason.data,
            reason_note=form.reason_note.data or "",
            preferred_doctor_id=form.preferred_doctor_value(),
            phone=form.phone.data or "",
            identity_checked=bool(form.identity_checked.data),
            language=form.language.data,
        )
        files = []
        for kind in ("application", "identity"):
            upload = request.files.get(f"{kind}_file")
            if upload is not None and upload.filename:
                files.append(attachment_service.UploadInput(kind, upload.stream, upload.filename))
        if not any(upload.kind == "application" for upload in files):
            form.application_file.errors = [_("Attach a scan or photo of the signed application.")]
        else:
            try:
                application = attachment_service.submit_application(
                    data, actor=Actor.of_staff(current_user), channel="desk", files=files
                )
            except (attachment_service.AttachmentError, uploads.UploadError) as problem:
                field = getattr(form, getattr(problem, "field", None) or "", None)
                if field is not None:
                    field.errors = [*field.errors, problem.message]
                else:
                    error = problem.message
            else:
                request_ = application.request
                audit(
                    "create",
                    "attachment_application",
                    object_id=request_.number,
                    patient_id=request_.subject_id,
                    detail=f"desk application, {len(files)} files",
                )
                if request_.status == registry_pending.AWAITING_REGISTRY:
                    flash(str(registry_pending.WAITING_MESSAGE) % {"number": request_.number}, "warning")
                else:
                    flash(_("Application %(number)s is registered.", number=request_.number), "success")
                return redirect(url_for("desk_attachment.show_application", number=request_.number), 303)
        if form.application_file.errors or form.identity_file.errors or error:
            error = error or _("The files were not saved: please attach them again.")
    status = 422 if request.method == "POST" else 200
    return render_template("desk_attachment/new.html", form=form, error=error), status


# ---- one application -------------------------------------------------------------------------------------
@bp.get("/<number>")
@roles_required(*DESK_ROLES)
def show_application(number: str):
    application = _application_or_404(number)
    request_ = application.request
    audit("view", "attachment_application", object_id=request_.number, patient_id=request_.subject_id)
    return _render_application(application)


def _render_application(application, *, approve_form=None, refuse_form=None, status=200):
    request_ = application.request
    assessment = attachment_service.assess(application)
    approve_form = approve_form or ApproveForm(formdata=None)
    approve_form.district_id.choices = [
        SelectChoice(
            str(load.district.id),
            _(
                "District %(number)s: %(count)s of %(norm)s",
                number=load.district.number,
                count=load.count,
                norm=load.norm,
            ),
        )
        for load in assessment.population.districts
    ]
    if approve_form.district_id.data is None and assessment.district is not None:
        approve_form.district_id.data = str(assessment.district.id)
    refuse_form = refuse_form or RefuseForm(formdata=None)
    refuse_form.ground.choices = [SelectChoice("", _("Choose the ground"))] + [
        SelectChoice(code, str(name)) for code, name in attachment_service.GROUNDS.items()
    ]
    if refuse_form.ground.data is None and assessment.grounds:
        refuse_form.ground.data = assessment.grounds[0]
    return render_template(
        "desk_attachment/show.html",
        application=application,
        request_=request_,
        person=request_.subject,
        assessment=assessment,
        state=attachment_service.deadline_state(request_),
        status_text=status_label(request_.status),
        reasons=attachment_service.REASON_LABELS,
        file_kinds=attachment_service.FILE_KIND_LABELS,
        document=attachment_service.result_document(application),
        grounds=attachment_service.GROUNDS,
        approve_form=approve_form,
        refuse_form=refuse_form,
        load=assessment.population.load_of(assessment.district),
        status_label=status_label,
        channel_label=channel_label,
        step_label=attachment_service.step_label,
        actor_label=attachment_service.actor_label,
    ), status


@bp.post("/<number>/check")
@roles_required(*DESK_ROLES)
def check_again(number: str):
    application = _application_or_404(number)
    request_ = application.request
    try:
        result = attachment_service.recheck(application, actor=Actor.of_staff(current_user))
    except RegistryUnavailable:
        flash(str(REGISTRY_DOWN), "warning")
        result = "unavailable"
    except attachment_service.AttachmentError as problem:
        flash(problem.message, "warning")
        result = "not_decidable"
    else:
        if result in registry_pending.RESULT_MESSAGES:
            flash(
                str(registry_pending.RESULT_MESSAGES[result]),
                "success" if result == "resolved" else "warning",
            )
        elif result == "cancelled":
            flash(_("The person is already attached to this clinic: the application is closed."), "info")
        else:
            flash(_("The checks were run again with the registry's current answer."), "success")
    audit(
        "update",
        "attachment_application",
        object_id=request_.number,
        patient_id=request_.subject_id,
        detail=f"checked again: {result}",
    )
    return redirect(url_for("desk_attachment.show_application", number=number), 303)


@bp.post("/<number>/approve")
@roles_required(*DESK_ROLES)
def approve_application(number: str):
    application = _application_or_404(number)
    form = ApproveForm()
    district_id = (form.district_id.data or "").strip()
    district = db.session.get(District, int(district_id)) if district_id.isdigit() else None
    try:
        attachment_service.approve(application, district=district, actor=Actor.of_staff(current_user))
    except RegistryUnavailable:
        flash(str(REGISTRY_DOWN), "warning")
    except attachment_service.AttachmentError as problem:
        flash(problem.message, "error")
    else:
        audit(
            "update",
            "attachment_application",
            object_id=application.request.number,
            patient_id=application.request.subject_id,
            detail=f"approved: district {application.district.number}",
        )
        flash(
            _(
                "Approved: the person is attached to district %(district)s. Print the talon for them.",
                district=application.district.number,
            ),
            "success",
        )
    return redirect(url_for("desk_attachment.show_application", number=number), 303)


@bp.post("/<number>/refuse")
@roles_required(*DESK_ROLES)
def refuse_application(number: str):
    application = _application_or_404(number)
    form = RefuseForm()
    try:
        attachment_service.refuse(
            application, form.ground.data or "", note=form.note.data or "", actor=Actor.of_staff(current_user)
        )
    except attachment_service.AttachmentError as problem:
        flash(problem.message, "error")
    else:
        audit(
            "update",
            "attachment_application",
            object_id=application.request.number,
            patient_id=application.request.subject_id,
            detail=f"refused: {application.request.refusal_ground}",
        )
        flash(_("The application is refused. Print the reasoned refusal for the person."), "success")
    return redirect(url_for("desk_attachment.show_application", number=number), 303)


@bp.get("/<number>/document")
@roles_required(*DESK_ROLES)
def print_document(number: str):
    application = _application_or_404(number)
    document = attachment_service.result_document(application)
    if document is None:
        abort(404)
    audit(
        "print",
        "document",
        object_id=document.number,
        patient_id=application.request.subject_id,
        detail=f"{document.kind} of {application.request.number}",
    )
    return pdf_response(document.pdf, f"{document.number}.pdf")


@bp.get("/files/<int:file_id>")
@roles_required(*DESK_ROLES)
def download_file(file_id: int):
    stored = attachment_service.get_file(file_id)
    path = uploads.path_of(stored.stored_name) if stored is not None else None
    if path is None:
        abort(404)
    request_ = stored.application.request
    audit(
        "view",
        "attachment_file",
        object_id=stored.id,
        patient_id=request_.subject_id,
        detail=f"downloaded the {stored.kind} file of {request_.number}",
    )
    extension = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}[stored.content_type]
    # Read whole (at most UPLOAD_MAX_BYTES): the type is the one checked on upload, never guessed again.
    response = file_response(
        path.read_bytes(),
        content_type=stored.content_type,
        filename=f"{request_.number}-{stored.kind}.{extension}",
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# ---- the attached population -----------------------------------------------------------------------------
@bp.get("/population")
@roles_required(*DESK_ROLES)
def show_population():
    counts = attachment_service.population()
    recent = attachment_service.recent_decisions()
    audit("view", "attached_population", detail=f"{len(recent)} recent decisions listed")
    return render_template(
        "desk_attachment/population.html",
        population=counts,
        recent=recent,
        doctors=attachment_service.district_doctors(),
        grounds=attachment_service.GROUNDS,
    )
