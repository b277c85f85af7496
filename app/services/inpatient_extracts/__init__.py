"""Service 8: extract from the medical record of an inpatient (001 annex 8), a module the admin switches on
when the clinic has a day hospital (product decision 5); off, the passport names the hospital as provider and
nothing is offered.

Four sign-offs of 15 minutes (app.services.signoff, steps in the catalogue): the attending or duty doctor
writes and signs the discharge summary (ICD-10 diagnoses), the head of department signs with the surname in
full, the senior nurse stamps, the discharge desk hands it over against the identity document, which issues
the extract. Rooms: `rules`, `texts`, `diagnoses` (ICD-10 codes), `queries` (one request, the journal of
issued extracts), `operations` (the steps). This face registers the hooks once.
"""

from app.core.bilingual import Bilingual
from app.services import documents, request_summary, signoff
from app.services import requests as request_kernel
from app.services.inpatient_extracts.diagnoses import check_code, title
from app.services.inpatient_extracts.operations import (
    DOCUMENT_KIND,
    check_summary,
    extract_context,
    hand_over,
    rewrite_summary,
    send_back,
    sign_as_head,
    stamp,
    write_summary,
)
from app.services.inpatient_extracts.queries import (
    find_by_number,
    is_offered,
    journal,
    open_journal,
    open_patient,
    open_request,
)
from app.services.inpatient_extracts.rules import (
    MODULE,
    SERVICE,
    DischargeSummary,
    ExtractError,
    split_codes,
)
from app.services.inpatient_extracts.texts import IIN_INVALID, MODULE_OFF
from app.services.signoff_summary import prefetch_signoffs, progress_summary

documents.register_kind(
    DOCUMENT_KIND,
    "IEX",
    Bilingual(
        "Стационарлық науқастың медициналық картасынан үзінді көшірме",
        "Выписка из медицинской карты стационарного больного",
    ),
)
request_kernel.register_labels(SERVICE, steps=signoff.step_labels(SERVICE))
request_summary.register(SERVICE, progress_summary)
request_summary.register_prefetch(SERVICE, prefetch_signoffs)
signoff.register_workflow(SERVICE, show_endpoint="desk_inpatient_extracts.show_request")

__all__ = [
    "DOCUMENT_KIND",
    "IIN_INVALID",
    "MODULE",
    "MODULE_OFF",
    "SERVICE",
    "DischargeSummary",
    "ExtractError",
    "check_code",
    "check_summary",
    "extract_context",
    "find_by_number",
    "hand_over",
    "is_offered",
    "journal",
    "open_journal",
    "open_patient",
    "open_request",
    "rewrite_summary",
    "send_back",
    "sign_as_head",
    "split_codes",
    "stamp",
    "title",
    "write_summary",
]
