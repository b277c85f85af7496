"""The local registry, for admins: search, view, add and edit people, CSV import and export, connection."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.auth import audit, roles_required
from app.blueprints.registry_admin import bp
from app.blueprints.registry_admin.forms import EditPersonForm, ImportForm, PersonForm
from app.htmx import render_page
from app.models.registry import REGISTER_CODES
from app.registries import registry_health
from app.responses import file_response
from app.services import local_registry, registry_csv, registry_export, registry_pending
from app.services.local_registry import PersonError, PersonRecord


# -- the registry page: search and connection ---------------------------------------------------------
@bp.get("/")
@roles_required("admin")
def show_registry():
    query = request.args.get("q", "").strip()
    result = local_registry.search_people(query) if query else None
    if query:
        audit("search", "registry_person", detail=f"q={query[:100]} found={result.total}")
    return render_page(
        "registry_admin/index.html",
        "registry_admin/_results.html",
        query=query,
        result=result,
        people_count=local_registry.count_people(),
        pending_count=registry_pending.count_pending(),
        backend=_backend_description(),
        health=None,  # the page loads the connection status by itself, so a slow gateway never holds it up
        reasons=registry_pending.UNAVAILABLE_REASONS,
        register_short_labels=local_registry.REGISTER_SHORT_LABELS,
    )


@bp.route("/connection", methods=["GET", "POST"])
@roles_required("admin")
def check_connection():
    """GET: the status as requests see it (an open circuit stays open); POST: probe now, even through it."""
    health = registry_health(force=request.method == "POST")
    audit("view", "registry_connection", detail=f"{health['backend']} {health['status']}")
    return render_page(
        "registry_admin/connection.html",
        "registry_admin/_connection.html",
        health=health,
        backend=_backend_description(),
        reasons=registry_pending.UNAVAILABLE_REASONS,
    )


def _backend_description() -> dict:
    config = current_app.config
    backend = str(config.get("REGISTRY_BACKEND") or "local")
    return {"name": backend, "url": config.get("REGISTRY_URL", "") if backend == "http" else ""}


# -- one person -----------------------------------------------------------------------------------------
@bp.route("/people/new", methods=["GET", "POST"])
@roles_required("admin")
def create_person():
    form = PersonForm()
    if form.validate_on_submit():
        try:
            person = local_registry.create_person(_record_from(form, iin=form.iin.data))
        except PersonError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            audit("create", "registry_person", object_id=person.id, detail=f"iin={person.iin}")
            flash(_("%(name)s is added to the local registry.", name=person.full_name), "success")
            return redirect(url_for("registry_admin.show_person", iin=person.iin), 303)
    return render_template(
        "registry_admin/person_form.html", form=form, person=None, registers=REGISTER_CODES
    )


@bp.get("/people/<iin>")
@roles_required("admin")
def show_person(iin: str):
    person = _person_or_404(iin)
    audit("view", "registry_person", object_id=person.id, detail=f"iin={person.iin}")
    return render_template(
        "registry_admin/person.html",
        person=person,
        register_labels=local_registry.REGISTER_LABELS,
        registers=REGISTER_CODES,
    )


@bp.route("/people/<iin>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit_person(iin: str):
    person = _person_or_404(iin)
    if request.method == "GET":
        form = EditPersonForm(data=_form_data(local_registry.record_of(person)))
        audit("view", "registry_person", object_id=person.id, detail=f"iin={person.iin} edit form")
    else:
        form = EditPersonForm()
    if form.validate_on_submit():
        try:
            local_registry.update_person(person, _record_from(form, iin=person.iin))
        except PersonError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            audit("update", "registry_person", object_id=person.id, detail=f"iin={person.iin}")
            flash(_("The changes are saved."), "success")
            return redirect(url_for("registry_admin.show_person", iin=person.iin), 303)
    return render_template(
        "registry_admin/person_form.html", form=form, person=person, registers=REGISTER_CODES
    )


def _person_or_404(iin: str):
    person = local_registry.find_person(iin)
    if person is None:
        abort(404)
    return person


def _record_from(form: PersonForm, *, iin: str) -> PersonRecord:
    return PersonRecord(
        iin=iin,
        last_name=form.last_name.data or "",
        first_name=form.first_name.data or "",
        middle_name=form.middle_name.data or "",
        address=form.address.data or "",
        phone=form.phone.data or "",
        clinic_code=(form.clinic_code.data or "").strip() or None,
        clinic_name=form.clinic_name.data or "",
        district_number=form.district_number.data,
        attached_since=form.attached_since.data,
        last_free_choice_on=form.last_free_choice_on.data,
        registers={code: getattr(form, f"{code}_since").data for code in REGISTER_CODES},
    )


def _form_data(record: PersonRecord) -> dict:
    data = {
        key: getattr(record, key)
        for key in (
            "last_name",
            "first_name",
            "middle_name",
            "address",
            "phone",
            "clinic_code",
            "clinic_name",
            "district_number",
            "attached_since",
            "last_free_choice_on",
        )
    }
    data.update({f"{code}_since": since for code, since in record.registers.items()})
    return data


# -- CSV import and export ------------------------------------------------------------------------------
@bp.route("/import", methods=["GET", "POST"])
@roles_required("admin")
def import_people():
    """Upload -> preview with every problem by line. Nothing is written until the admin confirms."""
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("registry_admin/import.html", form=form, columns=registry_csv.COLUMNS)
    upload = form.file.data
    data = upload.read(registry_csv.MAX_FILE_BYTES + 1)
    filename = upload.filename or "registry.csv"
    preview = registry_csv.read_csv(data)
    token = None
    if not preview.file_problems:
        token = registry_csv.save_upload(data, staff_id=current_user.id, filename=filename)
    audit(
        "view",
        "registry_import",
        object_id=token or "",
        detail=f"preview {filename[:100]}: {preview.total_rows} rows, {len(preview.error_lines)} with errors",
    )
    return render_template(
        "registry_admin/import_preview.html", preview=preview, token=token, filename=filename
    )


@bp.post("/import/<token>")
@roles_required("admin")
def confirm_import(token: str):
    upload = registry_csv.load_upload(token, staff_id=current_user.id)
    if upload is None:
        flash(_("This upload is no longer available. Please upload the file again."), "error")
        return redirect(url_for("registry_admin.import_people"), 303)
    data, filename = upload
    if request.form.get("action") == "cancel":
        registry_csv.discard_upload(token)
        flash(_("The import is cancelled; nothing was changed."), "info")
        return redirect(url_for("registry_admin.show_registry"), 303)
    only_valid = request.form.get("action") == "import_valid"
    preview = registry_csv.read_csv(data)  # again: the registry may have changed since the preview
    try:
        result = registry_csv.apply_import(preview, only_valid=only_valid)
    except registry_csv.ImportRefused as refused:
        return render_template(
            "registry_admin/import_preview.html",
            preview=preview,
            token=token,
            filename=filename,
            refusal=refused.message,
        )
    registry_csv.discard_upload(token)
    audit(
        "create",
        "registry_import",
        object_id=token,
        detail=(
            f"{filename[:100]}: {result.created} added, {result.updated} updated, "
            f"{result.skipped_lines} lines skipped"
        ),
    )
    flash(
        _(
            "Import finished: %(created)s added, %(updated)s updated.",
            created=result.created,
            updated=result.updated,
        ),
        "success",
    )
    if result.skipped_lines:
        flash(
            ngettext(
                "%(num)s line with errors was skipped.",
                "%(num)s lines with errors were skipped.",
                result.skipped_lines,
            ),
            "warning",
        )
    return redirect(url_for("registry_admin.show_registry"), 303)


@bp.get("/import/<token>/problems.csv")
@roles_required("admin")
def download_import_problems(token: str):
    upload = registry_csv.load_upload(token, staff_id=current_user.id)
    if upload is None:
        abort(404)
    preview = registry_csv.read_csv(upload[0])
    audit("view", "registry_import", object_id=token, detail="problem report downloaded")
    problems = registry_csv.problems_csv(preview)
    filename = "registry-import-problems.csv"
    return file_response(problems, content_type="text/csv", filename=filename, download=True)


@bp.get("/export.csv")
@roles_required("admin")
def export_people():
    audit("view", "registry_export", detail=f"{local_registry.count_people()} people exported as CSV")
    # Built whole, inside the request: a streamed body would outlive the request's database session.
    return file_response(
        "".join(registry_export.export_csv()),
        content_type="text/csv",
        filename="local-registry.csv",
        download=True,
    )
