"""The register book of sick-leave sheets and certificates (filters by doctor, period, department; printed A4
landscape in the page's language; CSV), and the admin's routing settings."""

from datetime import timedelta

from flask import flash, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.auth import current_actor, roles_required
from app.blueprints.sick_leave import desk_bp
from app.blueprints.sick_leave.forms import SettingsForm
from app.core.clock import ALMATY, local_now
from app.core.i18n import current_language
from app.core.inputs import to_day
from app.core.person import age_on
from app.documents import html_to_pdf, render_html
from app.extensions import db
from app.htmx import redirect_after_step, render_page
from app.models import StaffMember, StaffRole
from app.responses import file_response, pdf_response
from app.services import sick_leave
from app.services.clinic import get_clinic
from app.services.specialities import SPECIALITIES, get_speciality

BOOK_ROLES = ("issuing_desk", "head", "head_of_department", "registrar", "doctor")
MAX_BOOK_DAYS = 366


def _doctors() -> list[StaffMember]:
    return list(
        db.session.scalars(
            select(StaffMember)
            .join(StaffRole, StaffRole.staff_id == StaffMember.id)
            .where(StaffRole.role == "doctor")
            .order_by(StaffMember.full_name)
        )
    )


def _filter() -> sick_leave.BookFilter:
    today = local_now().date()
    start = to_day(request.args.get("start")) or today.replace(day=1)
    end = to_day(request.args.get("end")) or today
    if end < start or (end - start).days >= MAX_BOOK_DAYS:
        start, end = end - timedelta(days=30), end
    raw_doctor = (request.args.get("doctor") or "").strip()
    doctor_id = int(raw_doctor) if raw_doctor.isdigit() and len(raw_doctor) < 10 else None
    department = (request.args.get("department") or "").strip()
    if get_speciality(department) is None:
        department = ""
    return sick_leave.BookFilter(start, end, doctor_id, department)


def _age_of(patient, moment) -> int:
    return age_on(patient.birth_date, moment.astimezone(ALMATY).date())


def _names(book: sick_leave.BookFilter, language: str) -> tuple[str, str]:
    doctor = db.session.get(StaffMember, book.doctor_id) if book.doctor_id else None
    speciality = get_speciality(book.department)
    department = (speciality.name_ru if language == "ru" else speciality.name_kk) if speciality else ""
    return (doctor.full_name if doctor else "", department)


@desk_bp.get("/book")
@roles_required(*BOOK_ROLES)
def show_book():
    book = _filter()
    rows = sick_leave.open_register_book(book, actor=current_actor())
    return render_page(
        "sick_leave/desk/book.html",
        "sick_leave/desk/_book.html",
        rows=rows,
        book=book,
        doctors=_doctors(),
        specialities=SPECIALITIES,
        age_of=_age_of,
        query=_query(book),
    )


def _query(book: sick_leave.BookFilter) -> dict:
    return {
        "start": book.start.isoformat(),
        "end": book.end.isoformat(),
        "doctor": book.doctor_id or "",
        "department": book.department,
    }


@desk_bp.get("/book.pdf")
@roles_required(*BOOK_ROLES)
def print_book():
    book = _filter()
    rows = sick_leave.open_register_book(book, actor=current_actor(), action="print")
    language = current_language()
    doctor_name, department_name = _names(book, language)
    html = render_html(
        "documents/sick_leave_register_book.html",
        {
            "rows": rows,
            "book": book,
            "clinic": get_clinic(),
            "causes": sick_leave.CAUSES,
            "outcomes": sick_leave.OUTCOMES,
            "doctor_name": doctor_name,
            "department_name": department_name,
            "age_of": _age_of,
        },
        language=language,
    )
    return pdf_response(
        html_to_pdf(html), f"sick-leave-book-{book.start.isoformat()}-{book.end.isoformat()}.pdf"
    )


@desk_bp.get("/book.csv")
@roles_required(*BOOK_ROLES)
def export_book():
    book = _filter()
    rows = sick_leave.open_register_book(book, actor=current_actor(), action="print")
    body = sick_leave.book_csv(rows, current_language())
    name = f"sick-leave-book-{book.start.isoformat()}-{book.end.isoformat()}.csv"
    return file_response(body, content_type="text/csv; charset=utf-8", filename=name, download=True)


@desk_bp.route("/settings", methods=["GET", "POST"])
@roles_required("admin")
def edit_settings():
    settings = sick_leave.get_settings()
    form = SettingsForm(obj=settings)
    if form.validate_on_submit():
        sick_leave.save_settings(
            doctor_alone_days=form.doctor_alone_days.data,
            deputy_after_days=form.deputy_after_days.data,
            commission_after_days=form.commission_after_days.data,
            backdate_days=form.backdate_days.data,
            actor=current_actor(),
        )
        flash(_("Settings saved."))
        return redirect_after_step(url_for(".edit_settings"))
    status = 422 if request.method == "POST" else 200
    return render_page("sick_leave/desk/settings.html", None, status=status, form=form)
