"""The registry desk's side of attachment: in-person applications, the decision queue, approving or refusing,
printing the talon or the refusal, the files people brought, and the attached population.

Each handler loads, checks access (roles_required), calls one service and renders; the service audits every
view or print of a person's data and every change, with the actor the handler passes (current_actor()).
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from app.auth import current_actor, roles_required
from app.blueprints.attachment import desk_bp
from app.blueprints.attachment.forms import ApproveForm, DeskApplicationForm, RefuseForm
from app.core.i18n import current_language
from app.htmx import render_page
from app.responses import document_response, file_response
from app.services import attachment, registry_pending, uploads
from app.services.status import status_label

DESK_ROLES = ("registrar", "head")


def _application_or_404(number: str):
    application = attachment.find_by_number(number)
    if application is None:
        abort(404)
    return application


# ---- the queue -------------------------------------------------------------------------------------------
@desk_bp.get("/")
@roles_required(*DESK_ROLES)
def list_queue():
    rows = [
        {
            "application": row.application,
            "request": row.request,
            "state": row.state,
            "status_text": status_label(row.request.status),
        }
        for row in attachment.decision_queue(actor=current_actor())
    ]
    return render_page(
        "attachment/desk/queue.html",
        "attachment/desk/_queue.html",
        rows=rows,
        overdue=sum(1 for row in rows if row["state"] == "overdue"),
        due_soon=sum(1 for row in rows if row["state"] == "due_soon"),
        reasons=attachment.REASON_LABELS,
    )


# ---- an application made in person -----------------------------------------------------------------------
@desk_bp.route("/new", methods=["GET", "POST"])
@roles_required(*DESK_ROLES)
def new_application():
    form = DeskApplicationForm()
    form.fill_doctor_choices()
    if request.method == "GET":
        form.language.data = current_language()
    error = None
    if request.method == "POST" and form.validate():
        files = form.uploads(request.files)
        if not any(upload.kind == "application" for upload in files):
            form.application_file.errors = [_("Attach a scan or photo of the signed application.")]
        else:
            try:
                application = attachment.submit_application(
                    form.desk_input(), actor=current_actor(), channel="desk", files=files
                )
            except (attachment.AttachmentError, uploads.UploadError) as problem:
                field = getattr(form, getattr(problem, "field", None) or "", None)
                if field is not None:
                    field.errors = [*field.errors, problem.message]
                else:
                    error = problem.message
            else:
                request_ = application.request
                if request_.status == registry_pending.AWAITING_REGISTRY:
                    flash(str(registry_pending.WAITING_MESSAGE) % {"number": request_.number}, "warning")
                else:
                    flash(_("Application %(number)s is registered.", number=request_.number), "success")
                return redirect(url_for("desk_attachment.show_application", number=request_.number), 303)
        if form.application_file.errors or form.identity_file.errors or error:
            error = error or _("The files were not saved: please attach them again.")
    status = 422 if request.method == "POST" else 200
    return render_template("attachment/desk/new.html", form=form, error=error), status


# ---- one application -------------------------------------------------------------------------------------
@desk_bp.get("/<number>")
@roles_required(*DESK_ROLES)
def show_application(number: str):
    application = attachment.application_for_desk(number, actor=current_actor())
    if application is None:
        abort(404)
    request_ = application.request
    assessment = attachment.assess(application)
    approve_form = ApproveForm(formdata=None)
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
    if assessment.district is not None:
        approve_form.district_id.data = str(assessment.district.id)
    refuse_form = RefuseForm(formdata=None)
    refuse_form.ground.choices = [SelectChoice("", _("Choose the ground"))] + [
        SelectChoice(code, str(name)) for code, name in attachment.GROUNDS.items()
    ]
    if assessment.grounds:
        refuse_form.ground.data = assessment.grounds[0]
    return render_template(
        "attachment/desk/show.html",
        application=application,
        request_=request_,
        person=request_.subject,
        assessment=assessment,
        state=attachment.deadline_state(request_),
        status_text=status_label(request_.status),
        reasons=attachment.REASON_LABELS,
        file_kinds=attachment.FILE_KIND_LABELS,
        document=attachment.result_document(application),
        grounds=attachment.GROUNDS,
        approve_form=approve_form,
        refuse_form=refuse_form,
        load=assessment.population.load_of(assessment.district),
    )


@desk_bp.post("/<number>/check")
@roles_required(*DESK_ROLES)
def check_again(number: str):
    application = _application_or_404(number)
    outcome = attachment.recheck(application, actor=current_actor())
    flash(outcome.message, outcome.level)
    return redirect(url_for("desk_attachment.show_application", number=number), 303)


@desk_bp.post("/<number>/approve")
@roles_required(*DESK_ROLES)
def approve_application(number: str):
    application = _application_or_404(number)
    district = attachment.get_district(ApproveForm().district_id.data)
    try:
        attachment.approve(application, district=district, actor=current_actor())
    except attachment.RegistryDown as down:
        flash(down.message, "warning")
    except attachment.AttachmentError as problem:
        flash(problem.message, "error")
    else:
        flash(
            _(
                "Approved: the person is attached to district %(district)s. Print the talon for them.",
                district=application.district.number,
            ),
            "success",
        )
    return redirect(url_for("desk_attachment.show_application", number=number), 303)


@desk_bp.post("/<number>/refuse")
@roles_required(*DESK_ROLES)
def refuse_application(number: str):
    application = _application_or_404(number)
    form = RefuseForm()
    try:
        attachment.refuse(
            application, form.ground.data or "", note=form.note.data or "", actor=current_actor()
        )
    except attachment.AttachmentError as problem:
        flash(problem.message, "error")
    else:
        flash(_("The application is refused. Print the reasoned refusal for the person."), "success")
    return redirect(url_for("desk_attachment.show_application", number=number), 303)


@desk_bp.get("/<number>/document")
@roles_required(*DESK_ROLES)
def print_document(number: str):
    document = attachment.document_to_print(_application_or_404(number), actor=current_actor())
    if document is None:
        abort(404)
    return document_response(document)


@desk_bp.get("/files/<int:file_id>")
@roles_required(*DESK_ROLES)
def download_file(file_id: int):
    download = attachment.file_for_download(file_id, actor=current_actor())
    if download is None:
        abort(404)
    # Read whole (at most UPLOAD_MAX_BYTES): the type is the one checked on upload, never guessed again.
    response = file_response(download.data, content_type=download.content_type, filename=download.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# ---- the attached population -----------------------------------------------------------------------------
@desk_bp.get("/population")
@roles_required(*DESK_ROLES)
def show_population():
    overview = attachment.population_overview(actor=current_actor())
    return render_template(
        "attachment/desk/population.html",
        population=overview.population,
        recent=overview.recent,
        doctors=overview.doctors,
        grounds=attachment.GROUNDS,
    )
