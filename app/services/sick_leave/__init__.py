"""Services 10 and 11: the sick-leave sheet and the sick-leave certificate (001 annexes 10, 11), at the desk,
with the register book.

A sheet: the registrar receives the identity document (step 1, 5 minutes); the attending doctor sees the
register of attached population's answer, examines, fills the sheet (primary or continuation, cause, regime,
place of work, diagnosis, the period of release) and signs (step 2, 15 minutes); past the clinic's thresholds
of days (admin settings, shown on the passport) the head of department or the deputy chief physician signs
(step 3, 5 minutes) and, past the last one or opened backdated, the medical advisory commission; the issuing
desk stamps it and enters it in the register book (5 minutes). The sheet is a paper blank Emhana prints, or
an electronic sheet made in the national system whose number the doctor types in. Each extension is a new
visit through the same steps, adding one period with its doctor; the doctor closes the sheet («приступить к
работе с …» or «продолжает болеть»). A certificate (for people a sheet is not issued to): registrar, doctor
(20 minutes), issuing desk.

Rooms: `rules` (lists, routing, errors), `texts`, `queries` (a visit, the routing, the register book),
`operations` (the steps, closing, settings). This face registers the hooks once.
"""

from app.core.bilingual import Bilingual
from app.services import documents, registry_pending, request_summary, signoff
from app.services import requests as request_kernel
from app.services.sick_leave.operations import (
    CERTIFICATE_DOCUMENT,
    SHEET_DOCUMENT,
    close,
    document_context,
    receive,
    receive_again,
    register_in_book,
    resume_after_registry,
    save_settings,
    send_back,
    sign_as_commission,
    sign_as_doctor,
    sign_as_head,
)
from app.services.sick_leave.queries import (
    DEFAULTS,
    BookFilter,
    book_csv,
    find_by_number,
    find_sheet,
    get_settings,
    open_document,
    open_patient,
    open_register_book,
    open_request,
    open_sheet_of,
    register_book,
    routing_of,
    step_needed,
)
from app.services.sick_leave.rules import (
    CAUSES,
    CERTIFICATE,
    ISSUE_MODES,
    OUTCOMES,
    REGIMES,
    SERVICES,
    SHEET,
    Routing,
    SheetFields,
    SickLeaveError,
    is_valid_national_number,
    route,
)
from app.services.sick_leave.texts import ATTACHMENT_LABELS, IIN_INVALID
from app.services.signoff_summary import prefetch_signoffs, progress_summary

documents.register_kind(
    SHEET_DOCUMENT,
    "SLS",
    Bilingual("Еңбекке уақытша жарамсыздық парағы", "Лист о временной нетрудоспособности"),
)
documents.register_kind(
    CERTIFICATE_DOCUMENT,
    "SLC",
    Bilingual("Еңбекке уақытша жарамсыздық туралы анықтама", "Справка о временной нетрудоспособности"),
)
for _service in SERVICES:
    request_kernel.register_labels(_service, steps=signoff.step_labels(_service))
    registry_pending.register_retry_handler(_service, resume_after_registry)
    request_summary.register(_service, progress_summary)
    request_summary.register_prefetch(_service, prefetch_signoffs)
    signoff.register_workflow(_service, show_endpoint="desk_sick_leave.show_request", needed=step_needed)

__all__ = [
    "ATTACHMENT_LABELS",
    "CAUSES",
    "CERTIFICATE",
    "CERTIFICATE_DOCUMENT",
    "DEFAULTS",
    "IIN_INVALID",
    "ISSUE_MODES",
    "OUTCOMES",
    "REGIMES",
    "SERVICES",
    "SHEET",
    "SHEET_DOCUMENT",
    "BookFilter",
    "Routing",
    "SheetFields",
    "SickLeaveError",
    "book_csv",
    "close",
    "document_context",
    "find_by_number",
    "find_sheet",
    "get_settings",
    "is_valid_national_number",
    "open_document",
    "open_patient",
    "open_register_book",
    "open_request",
    "open_sheet_of",
    "receive",
    "receive_again",
    "register_book",
    "register_in_book",
    "resume_after_registry",
    "route",
    "routing_of",
    "save_settings",
    "send_back",
    "sign_as_commission",
    "sign_as_doctor",
    "sign_as_head",
    "step_needed",
]
