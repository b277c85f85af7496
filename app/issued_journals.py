"""The staff pages of a journal of issued documents, for a service whose documents are signed off in turn
(the PHC certificates' register, the inpatient extracts' journal; `signoff.issued` in the kernel): the period
from ?start=&end=, the page or its htmx fragment, the printed list, and one issued document's PDF.

A desk adds the three routes in one call, naming its URLs, endpoints and roles there:

    issued_journals.add_routes(
        desk_bp, IssuedJournal(name="register", ...), roles=STAFF_ROLES,
        document_url="/<number>/certificate.pdf", document_endpoint="print_certificate", find=_find,
    )

gives GET /register (`show_register`: page or fragment), GET /register.pdf (`print_register`) and the
document's PDF (`print_certificate`), each for `roles` (`roles_required`, so the access matrix sees them).

Templates: the page extends `signoff/issued_journal.html`, its fragment `signoff/_issued_journal.html`, the
printed list `documents/_issued_journal.html` (each with blocks for the service's own columns).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import Blueprint, Response, abort, request

from app.auth import current_actor, roles_required
from app.core.clock import local_now
from app.core.i18n import current_language
from app.core.inputs import to_day
from app.documents import render_pdf
from app.htmx import render_page
from app.models import ServiceRequest
from app.responses import document_response, pdf_response
from app.services import signoff
from app.services.clinic import get_clinic

MAX_DAYS = 366  # a longer period falls back to the last 30 days
FALLBACK_DAYS = 30

# open_rows(start, end, *, actor, printed=False): the service's audited read of its journal.
OpenRows = Callable[..., list[signoff.IssuedRow]]


def period(max_days: int = MAX_DAYS) -> tuple[date, date]:
    """The period asked for: from the first of this month to today by default; a reversed or too long one
    falls back to the 30 days before its end."""
    today = local_now().date()
    start = to_day(request.args.get("start")) or today.replace(day=1)
    end = to_day(request.args.get("end")) or today
    if end < start or (end - start).days >= max_days:
        start = end - timedelta(days=FALLBACK_DAYS)
    return start, end


def show(open_rows: OpenRows, *, page: str, fragment: str, **context) -> Response | str:
    """The journal's page (or, for htmx, its fragment) for the period asked for."""
    start, end = period()
    rows = open_rows(start, end, actor=current_actor())
    return render_page(page, fragment, rows=rows, start=start, end=end, **context)


def print_list(open_rows: OpenRows, *, template: str, filename: str, **context) -> Response:
    """The journal for the period as a PDF in the visitor's language (the clinic's own list: printed, not
    issued)."""
    start, end = period()
    rows = open_rows(start, end, actor=current_actor(), printed=True)
    pdf = render_pdf(
        template,
        {"rows": rows, "start": start, "end": end, "clinic": get_clinic(), **context},
        language=current_language(),
    )
    return pdf_response(pdf, f"{filename}-{start.isoformat()}-{end.isoformat()}.pdf")


def result_document(found: ServiceRequest) -> Response:
    """The request's issued document (404 while none), its print audited, served signed or "being signed"."""
    document = found.result_document
    if document is None:
        abort(404)
    signoff.open_document(document, actor=current_actor())
    return document_response(document)


@dataclass(frozen=True)
class IssuedJournal:
    name: str  # the URL and the endpoints: /<name> (show_<name>), /<name>.pdf (print_<name>)
    open_rows: OpenRows
    page: str
    fragment: str
    template: str  # the printed list
    filename: str  # of the printed list, before its period
    print_context: dict = field(default_factory=dict)


def add_routes(
    blueprint: Blueprint,
    journal: IssuedJournal,
    *,
    roles: tuple[str, ...],
    document_url: str,
    document_endpoint: str,
    find: Callable[[str], ServiceRequest],
) -> None:
    """The journal's page, its printed list and one issued document's PDF on `blueprint`, for `roles`.
    `find(number)` is the desk's own lookup of a request (404 for one that is not its service's)."""

    def show_journal():
        return show(journal.open_rows, page=journal.page, fragment=journal.fragment)

    def print_journal():
        return print_list(
            journal.open_rows, template=journal.template, filename=journal.filename, **journal.print_context
        )

    def print_document(number: str):
        return result_document(find(number))

    guard = roles_required(*roles)
    blueprint.add_url_rule(f"/{journal.name}", f"show_{journal.name}", guard(show_journal), methods=["GET"])
    blueprint.add_url_rule(
        f"/{journal.name}.pdf", f"print_{journal.name}", guard(print_journal), methods=["GET"]
    )
    blueprint.add_url_rule(document_url, document_endpoint, guard(print_document), methods=["GET"])
