"""Service 9: certificate from a PHC organisation (001 annex 9), at the desk, on paper.

The registrar receives the identity document, or a proxy's power of attorney (step 1, 5 minutes); the district
doctor or GP sees the register of attached population's answer (a person attached elsewhere is a warning,
the doctor decides), examines, writes the conclusion and signs (step 2, 20 minutes), which issues the
certificate of the chosen kind. The steps are the shared sign-off (app.services.signoff), declared in the
catalogue. A request whose register lookup fails waits in the registry-pending queue.

Rooms: `rules` (kinds, errors), `texts`, `queries` (one request, the register of issued certificates),
`operations` (the steps). This face registers the hooks once.
"""

from app.core.bilingual import Bilingual
from app.services import documents, registry_pending, request_summary, signoff
from app.services import requests as request_kernel
from app.services.phc_certificates.operations import (
    DOCUMENT_KIND,
    certificate_context,
    check_reception,
    receive,
    receive_again,
    resume_after_registry,
    send_back,
    sign_as_doctor,
)
from app.services.phc_certificates.queries import (
    find_by_number,
    open_patient,
    open_register,
    open_request,
    register,
)
from app.services.phc_certificates.rules import (
    KINDS,
    PRESENTERS,
    SERVICE,
    CertificateError,
    CertificateKind,
    KindField,
    Reception,
    kind_of,
    offered_kinds,
)
from app.services.phc_certificates.texts import (
    ATTACHMENT_LABELS,
    IIN_INVALID,
    NOT_ATTACHED_WARNING,
    PRESENTER_LABELS,
)
from app.services.signoff_summary import prefetch_signoffs, progress_summary

documents.register_kind(
    DOCUMENT_KIND, "PHC", Bilingual("МСАК ұйымынан анықтама", "Справка с организации ПМСП")
)
request_kernel.register_labels(SERVICE, steps=signoff.step_labels(SERVICE))
registry_pending.register_retry_handler(SERVICE, resume_after_registry)
request_summary.register(SERVICE, progress_summary)
request_summary.register_prefetch(SERVICE, prefetch_signoffs)
signoff.register_workflow(SERVICE, show_endpoint="desk_phc_certificates.show_request")

__all__ = [
    "ATTACHMENT_LABELS",
    "DOCUMENT_KIND",
    "IIN_INVALID",
    "KINDS",
    "NOT_ATTACHED_WARNING",
    "PRESENTERS",
    "PRESENTER_LABELS",
    "SERVICE",
    "CertificateError",
    "CertificateKind",
    "KindField",
    "Reception",
    "certificate_context",
    "check_reception",
    "find_by_number",
    "kind_of",
    "offered_kinds",
    "open_patient",
    "open_register",
    "open_request",
    "receive",
    "receive_again",
    "register",
    "resume_after_registry",
    "send_back",
    "sign_as_doctor",
]
