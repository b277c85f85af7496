"""Admin pages: staff accounts, the clinic profile, districts, calendar exceptions, the audit log.

Every view is admin-only and every change is written to the audit log. Views parse the form, call one
service function and redirect (303) after a change; a refused change re-renders the form with the
message next to the field and what the admin typed kept.
"""

from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth import audit, roles_required
from app.blueprints.admin import bp
from app.blueprints.admin.forms import (
    AuditFilterForm,
    CalendarExceptionForm,
    ClinicProfileForm,
    DistrictForm,
    PasswordResetForm,
    StaffCreateForm,
    StaffDetailsForm,
)
from app.core.actors import Actor
from app.core.clock import local_now
from app.core.i18n import current_language
from app.htmx import render_page
from app.services import audit as audit_log
from app.services import clinic as clinic_service
from app.services import document_signing, staff_accounts
from app.services.clinic import ClinicError, ClinicProfile
from app.services.specialities import get_speciality
from app.services.staff_accounts import AccountError


@dataclass(frozen=True)
class AdminPage:
    endpoint: str
    title: str
    description: str


# Admin pages of other parts of the app, shown as cards on the dashboard. Add yours here; an endpoint that
# is not registered is left out, so the list may name pages before they land.
MORE_ADMIN_PAGES = (
    AdminPage(
        "registry_admin.show_registry",
        _l("Local registry"),
        _l("The clinic's copy of the national registries: people, attachment and registers."),
    ),
    AdminPage(
        "kiosk.manage_kiosks", _l("Lobby kiosks"), _l("Register, name and switch off the lobby kiosks.")
    ),
    AdminPage(
        "outbox_admin.list_messages", _l("SMS outbox"), _l("Every SMS the app sent, and whether it went.")
    ),
    AdminPage(
        "desk_inpatient_extracts.switch_module",
        _l("Day hospital module"),
        _l("Switch on inpatient extracts when the clinic has a day hospital."),
    ),
    AdminPage(
        "signing_admin.show_signing",
        _l("Electronic signature"),
        _l("The clinic's signing key, its expiry, and documents waiting for their signature."),
    ),
)


def _see_other(endpoint: str, **values):
    return redirect(url_for(endpoint, **values), code=303)


def _show_error(form, error) -> None:
    """Put a service's refusal next to its field, or above the form when it concerns no single field."""
    field = form._fields.get(error.field) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def _text(field) -> str:
    """A text field's value; a field missing from the posted form counts as empty."""
    return field.data or ""


def _actor() -> Actor:
    return Actor.of_staff(current_user)


# ---- dashboard ---------------------------------------------------------------------------------------


@bp.get("/")
@roles_required("admin")
def show_dashboard():
    staff = staff_accounts.list_staff()
    districts = clinic_service.list_districts()
    doctors = clinic_service.district_doctors()
    today = local_now().date()
    return render_template(
        "admin/dashboard.html",
        active_staff=sum(1 for member in staff if member.is_active),
        locked_staff=sum(1 for until in staff_accounts.locks_of(staff).values() if until is not None),
        district_count=len(districts),
        districts_without_doctor=[d for d in districts if not doctors.get(d.id)],
        upcoming_exceptions=[e for e in clinic_service.list_calendar_exceptions() if e.day >= today],
        signing=document_signing.key_status(),
        more_pages=[
            {"url": url_for(page.endpoint), "title": page.title, "description": page.description}
            for page in MORE_ADMIN_PAGES
            if page.endpoint in current_app.view_functions
        ],
    )


# ---- staff -------------------------------------------------------------------------------------------


@bp.get("/staff")
@roles_required("admin")
def list_staff():
    staff = staff_accounts.list_staff()
    locks = staff_accounts.locks_of(staff)
    return render_template(
        "admin/staff_list.html",
        staff=staff,
        locked_until=lambda member: locks.get(member.id),
        role_labels=staff_accounts.ROLE_LABELS,
        get_speciality=get_speciality,
    )


@bp.route("/staff/new", methods=["GET", "POST"])
@roles_required("admin")
def create_staff():
    form = StaffCreateForm()
    form.fill_choices(clinic_service.list_districts(), current_language())
    if form.validate_on_submit():
        try:
            staff = staff_accounts.create_staff(
                username=_text(form.username),
                password=form.password.data,
                **_staff_details(form),
            )
        except AccountError as error:
            _show_error(form, error)
        else:
            audit(
                "create",
                "staff",
                object_id=staff.id,
                detail=f"{staff.username}: roles={','.join(sorted(staff.roles))}",
            )
            flash(_("The account %(username)s was created.", username=staff.username), "success")
            return _see_other("admin.edit_staff", staff_id=staff.id)
    return render_template("admin/staff_new.html", form=form), 422 if form.errors else 200


def _staff_details(form) -> dict:
    """What the new-account and edit-account forms both set, as staff_accounts takes it."""
    return {
        "full_name": _text(form.full_name),
        "roles": set(form.roles.data),
        "speciality": form.speciality.data or None,
        "district_id": form.district_id,
        "room": _text(form.room),
        "phone": _text(form.phone),
    }


def _load_staff(staff_id: int):
    staff = staff_accounts.get_staff(staff_id)
    if staff is None:
        abort(404)
    return staff


def _render_staff_page(staff, form=None, password_form=None, status=200):
    if form is None:
        form = StaffDetailsForm(
            formdata=None,
            full_name=staff.full_name,
            roles=sorted(staff.roles),
            speciality=staff.speciality or "",
            district=str(staff.district_id or ""),
            room=staff.room,
            phone=staff.phone,
        )
        form.fill_choices(clinic_service.list_districts(), current_language())
    return (
        render_template(
            "admin/staff_edit.html",
            staff=staff,
            form=form,
            password_form=password_form or PasswordResetForm(formdata=None),
            locked_until=staff_accounts.locked_until(staff),
            open_sessions=staff_accounts.open_sessions(staff),
            is_self=staff.id == current_user.id,
        ),
        status,
    )


@bp.route("/staff/<int:staff_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_staff(staff_id: int):
    staff = _load_staff(staff_id)
    if request.method == "GET":
        return _render_staff_page(staff)
    form = StaffDetailsForm()
    form.fill_choices(clinic_service.list_districts(), current_language())
    if form.validate():
        try:
            changes = staff_accounts.update_staff(
                staff,
                actor=_actor(),
                **_staff_details(form),
            )
        except AccountError as error:
            _show_error(form, error)
        else:
            if changes:
                audit("update", "staff", object_id=staff.id, detail=changes)
                flash(_("The changes were saved."), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return _see_other("admin.edit_staff", staff_id=staff.id)
    return _render_staff_page(staff, form=form, status=422)


@bp.post("/staff/<int:staff_id>/password")
@roles_required("admin")
def reset_staff_password(staff_id: int):
    staff = _load_staff(staff_id)
    password_form = PasswordResetForm()
    if password_form.validate():
        try:
            staff_accounts.set_password(staff, password_form.new_password.data)
        except AccountError as error:
            password_form.new_password.errors = [*password_form.new_password.errors, error.message]
        else:
            if staff.id != current_user.id:
                staff_accounts.end_sessions(staff)  # whoever knew the old password is signed out too
            audit("update", "staff", object_id=staff.id, detail="password reset by an administrator")
            flash(
                _("The new password is set. Give it to %(name)s in person.", name=staff.full_name),
                "success",
            )
            return _see_other("admin.edit_staff", staff_id=staff.id)
    return _render_staff_page(staff, password_form=password_form, status=422)


@bp.post("/staff/<int:staff_id>/unlock")
@roles_required("admin")
def unlock_staff(staff_id: int):
    staff = _load_staff(staff_id)
    staff_accounts.unlock(staff)
    audit("update", "staff", object_id=staff.id, detail="unlocked")
    flash(_("The account is unlocked: %(name)s can sign in again.", name=staff.full_name), "success")
    return _see_other("admin.edit_staff", staff_id=staff.id)


@bp.post("/staff/<int:staff_id>/sign-out")
@roles_required("admin")
def sign_out_staff(staff_id: int):
    """End every session of the staff member (a lost or shared password, a computer left signed in)."""
    staff = _load_staff(staff_id)
    if staff.id == current_user.id:
        abort(400)  # your own: the "Sign out everywhere" button of the menu, which also signs you out here
    ended = staff_accounts.end_sessions(staff)
    audit("update", "staff", object_id=staff.id, detail=f"signed out everywhere: sessions={ended}")
    flash(_("%(name)s is signed out on every computer and browser.", name=staff.full_name), "success")
    return _see_other("admin.edit_staff", staff_id=staff.id)


@bp.post("/staff/<int:staff_id>/active")
@roles_required("admin")
def set_staff_active(staff_id: int):
    staff = _load_staff(staff_id)
    active = request.form.get("active") == "1"
    try:
        staff_accounts.set_active(staff, active, actor=_actor())
    except AccountError as error:
        flash(str(error.message), "error")
        return _render_staff_page(staff, status=422)
    audit("update", "staff", object_id=staff.id, detail="activated" if active else "deactivated")
    if active:
        flash(_("The account is active again."), "success")
    else:
        flash(
            _("The account is deactivated: %(name)s can no longer sign in.", name=staff.full_name), "success"
        )
    return _see_other("admin.edit_staff", staff_id=staff.id)


# ---- the clinic profile ------------------------------------------------------------------------------


@bp.route("/clinic", methods=["GET", "POST"])
@roles_required("admin")
def edit_clinic():
    clinic = clinic_service.get_clinic()
    if request.method == "GET":
        form = ClinicProfileForm(formdata=None, obj=clinic)
        profile = clinic_service.profile_of(clinic)
        if profile is not None:
            form.fill_hours(profile.working_hours)
        return render_template("admin/clinic.html", form=form, weekday_names=_weekday_names())
    form = ClinicProfileForm()
    if form.validate():
        try:
            clinic, changes = clinic_service.save_profile(
                ClinicProfile(
                    name_kk=_text(form.name_kk),
                    name_ru=_text(form.name_ru),
                    code=_text(form.code),
                    address_kk=_text(form.address_kk),
                    address_ru=_text(form.address_ru),
                    phones=_text(form.phones),
                    email=_text(form.email),
                    working_hours=form.working_hours(),
                    attached_population_norm=form.attached_population_norm.data,
                )
            )
        except ClinicError as error:
            _show_error(form, error)
        else:
            if changes:
                audit("update", "clinic", object_id=clinic.id, detail=changes)
            flash(_("The clinic profile was saved."), "success")
            return _see_other("admin.edit_clinic")
    return render_template("admin/clinic.html", form=form, weekday_names=_weekday_names()), 422


def _weekday_names() -> dict[int, str]:
    from babel.dates import get_day_names

    names = get_day_names("wide", locale=current_language())
    return {iso: names[iso - 1].capitalize() for iso in range(1, 8)}


# ---- districts ---------------------------------------------------------------------------------------


@bp.get("/districts")
@roles_required("admin")
def list_districts():
    return render_template(
        "admin/districts.html",
        districts=clinic_service.list_districts(),
        doctors=clinic_service.district_doctors(),
        patient_counts=clinic_service.district_patient_counts(),
        kinds=clinic_service.DISTRICT_KINDS,
    )


@bp.route("/districts/new", methods=["GET", "POST"])
@roles_required("admin")
def create_district():
    form = DistrictForm()
    if form.validate_on_submit():
        try:
            district = clinic_service.create_district(
                number=form.number.data,
                kind=form.kind.data,
                territory=_text(form.territory),
                population_norm=form.population_norm.data,
            )
        except ClinicError as error:
            _show_error(form, error)
        else:
            audit("create", "district", object_id=district.id, detail=f"number={district.number}")
            flash(_("District %(number)s was added.", number=district.number), "success")
            return _see_other("admin.list_districts")
    if request.method == "GET" and not form.population_norm.data:
        form.population_norm.data = 2200
    return render_template("admin/district_form.html", form=form, district=None), 422 if form.errors else 200


@bp.route("/districts/<int:district_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_district(district_id: int):
    district = clinic_service.get_district(district_id)
    if district is None:
        abort(404)
    form = DistrictForm(obj=district)
    if form.validate_on_submit():
        try:
            changes = clinic_service.update_district(
                district,
                number=form.number.data,
                kind=form.kind.data,
                territory=_text(form.territory),
                population_norm=form.population_norm.data,
            )
        except ClinicError as error:
            _show_error(form, error)
        else:
            if changes:
                audit("update", "district", object_id=district.id, detail=changes)
            flash(_("District %(number)s was saved.", number=district.number), "success")
            return _see_other("admin.list_districts")
    return (
        render_template(
            "admin/district_form.html",
            form=form,
            district=district,
            doctors=clinic_service.district_doctors().get(district.id, []),
        ),
        422 if form.errors else 200,
    )


# ---- calendar exceptions -----------------------------------------------------------------------------


def _render_calendar(form, status=200):
    today = local_now().date()
    exceptions = clinic_service.list_calendar_exceptions()
    return (
        render_template(
            "admin/calendar.html",
            form=form,
            upcoming=[e for e in exceptions if e.day >= today],
            past=[e for e in reversed(exceptions) if e.day < today][:20],
            holidays=clinic_service.upcoming_public_holidays(today),
            exception_days={e.day: e for e in exceptions},
        ),
        status,
    )


@bp.get("/calendar")
@roles_required("admin")
def show_calendar():
    return _render_calendar(CalendarExceptionForm(formdata=None))


@bp.post("/calendar")
@roles_required("admin")
def add_calendar_exception():
    form = CalendarExceptionForm()
    if form.validate():
        try:
            exception = clinic_service.add_calendar_exception(
                day=form.day.data,
                is_working=form.kind.data == "working",
                note=_text(form.note),
                today=local_now().date(),
            )
        except ClinicError as error:
            _show_error(form, error)
        else:
            audit(
                "create",
                "calendar_exception",
                object_id=exception.id,
                detail=f"{exception.day.isoformat()} {'working' if exception.is_working else 'day off'}",
            )
            flash(_("The calendar was changed."), "success")
            return _see_other("admin.show_calendar")
    return _render_calendar(form, status=422)


@bp.post("/calendar/<int:exception_id>/delete")
@roles_required("admin")
def remove_calendar_exception(exception_id: int):
    exception = clinic_service.get_calendar_exception(exception_id)
    if exception is None:
        abort(404)
    day, is_working = exception.day, exception.is_working
    try:
        clinic_service.remove_calendar_exception(exception, today=local_now().date())
    except ClinicError as error:
        flash(str(error.message), "error")
        return _render_calendar(CalendarExceptionForm(formdata=None), status=422)
    audit(
        "delete",
        "calendar_exception",
        object_id=exception_id,
        detail=f"{day.isoformat()} {'working' if is_working else 'day off'}",
    )
    flash(_("The exception was removed."), "success")
    return _see_other("admin.show_calendar")


# ---- the audit log -----------------------------------------------------------------------------------


_PAGE_LINK = ("before_at", "before_id", "after_at", "after_id", "page")


@bp.get("/audit")
@roles_required("admin")
def show_audit_log():
    form = AuditFilterForm(request.args)
    form.fill_choices(staff_accounts.list_staff())
    filters = audit_log.AuditFilters()
    # A filter that does not parse shows its message and the unfiltered log; nothing changes either way.
    if form.validate():
        filters = audit_log.AuditFilters(
            staff_id=int(form.staff.data) if form.staff.data else None,
            action=form.action.data or None,
            patient_id=form.patient.data,
            date_from=form.date_from.data,
            date_to=form.date_to.data,
        )
    # The page links carry the last entry seen (keyset pagination); a link cut or typed by hand shows the
    # newest page and says so.
    bad_link = False
    try:
        older = audit_log.parse_cursor(request.args.get("before_at"), request.args.get("before_id"))
        newer = audit_log.parse_cursor(request.args.get("after_at"), request.args.get("after_id"))
    except audit_log.BadCursor:
        older = newer = None
        bad_link = True
    page = audit_log.search_entries(filters, older_than=older, newer_than=None if older else newer)
    # Reading who did what (and to whose data) is itself worth recording.
    audit("view", "audit_log", patient_id=filters.patient_id, detail=filters.describe())
    query = {name: value for name, value in request.args.items() if name not in _PAGE_LINK and value}
    return render_page(
        "admin/audit_log.html",
        "admin/_audit_results.html",
        form=form,
        page=page,
        query=query,
        bad_link=bad_link,
        action_label=audit_log.action_label,
        object_label=audit_log.object_label,
        detail_label=audit_log.detail_label,
    )
