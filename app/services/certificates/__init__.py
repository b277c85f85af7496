"""Information forms of regulation 004 (ҚР ДСМ-51): is a person on the TB dispensary register, or under
dynamic observation in psychiatry or narcology. The answer is automatic, from the registries.

A request is for oneself (the applicant proved their IIN with a one-time code) or for another person, who
must consent: the subject gets a consent code by SMS and either tells it to the applicant, or opens the
consent link and confirms with it (at the desk the registrar types it). No consent within CONSENT_TIMEOUT
refuses the request on the regulation's only ground, "no_consent". The form is issued as a stored document
(app.services.documents), valid 10 calendar days.

Statuses: for oneself `submitted -> completed`; for another person `awaiting_consent -> completed | refused`;
either may pass through `awaiting_registry` while the registry does not answer (registry_pending retries
it, and so does the applicant's status page), with the 30-minute deadline of the catalogue running.

Privacy: nothing about the subject is read from the registry before consent except the phone to ask for it,
and the subject's clinic card is only created when the form is issued. The status is shown on screen only to
the applicant of a consented request or the subject (`may_view`); every step is a request event, and every
staff read or change is audited by the desk operations.

Three catalogue services, one per register (SERVICE_SLUGS), share this package: there is no single SERVICE.
Rooms, each importing only those before it: `rules` (the forms, settings, errors), `texts` (the printed
answer, SMS texts), `queries` (read-only), `answer` (ask the registry, issue the form, tell the applicant),
`consent` (the subject's consent), `operations` (making requests, upkeep, the desk's audited reads and
changes). This face re-exports the public names and registers all the hooks: the document kinds, the
registry retry handler and the status page's summary.
"""

from app.services import registry_pending, request_summary
from app.services.certificates.consent import (
    decline_consent,
    expire_consent_if_due,
    expire_overdue_consents,
    give_consent,
    resend_consent_code,
    send_consent_code_again,
)
from app.services.certificates.operations import (
    desk_list,
    open_at_desk,
    print_at_desk,
    record_view,
    refresh,
    request_form,
    request_form_at_desk,
    resume,
    retry_at_desk,
    show_at_desk,
)
from app.services.certificates.queries import (
    consent_sms_failed,
    desk_may_see_result,
    desk_requests,
    find_by_consent_token,
    find_request,
    form_progress,
    form_spec,
    form_summary,
    has_consent,
    may_see_result,
    may_view,
    overdue_consent_requests,
    requests_of,
    result_document,
    service_names,
)
from app.services.certificates.rules import (
    DOCUMENT_PREFIXES,
    FORMS,
    LAZY_RETRY_INTERVAL,
    PENDING_STATUSES,
    REGISTERS,
    SERVICE_SLUGS,
    TEMPLATE,
    VALIDITY_DAYS,
    CertificateError,
    ConsentNotPending,
    FormSpec,
    IdentityNotChecked,
    NoPhoneForConsent,
    SubjectUnknown,
    TooManyCertificateRequests,
    consent_purpose,
    consent_timeout,
    valid_until_for,
)
from app.services.certificates.texts import (
    DOCUMENT_TITLES,
    STATUS_VALUES,
    FormAnswer,
    applicant_label,
    refusal_ground_text,
)
from app.services.documents import register_kind

# ---- hooks -------------------------------------------------------------------------------------------------

DOCUMENT_KINDS = {
    register: register_kind(spec.document_kind, DOCUMENT_PREFIXES[register], DOCUMENT_TITLES[register])
    for register, spec in FORMS.items()
}
for _slug in SERVICE_SLUGS:
    registry_pending.register_retry_handler(_slug, resume)
    request_summary.register(_slug, form_summary)
    request_summary.register_progress(_slug, form_progress)

__all__ = [
    "DOCUMENT_KINDS",
    "DOCUMENT_PREFIXES",
    "DOCUMENT_TITLES",
    "FORMS",
    "LAZY_RETRY_INTERVAL",
    "PENDING_STATUSES",
    "REGISTERS",
    "SERVICE_SLUGS",
    "STATUS_VALUES",
    "TEMPLATE",
    "VALIDITY_DAYS",
    "CertificateError",
    "ConsentNotPending",
    "FormAnswer",
    "FormSpec",
    "IdentityNotChecked",
    "NoPhoneForConsent",
    "SubjectUnknown",
    "TooManyCertificateRequests",
    "applicant_label",
    "consent_purpose",
    "consent_sms_failed",
    "consent_timeout",
    "decline_consent",
    "desk_list",
    "desk_may_see_result",
    "desk_requests",
    "expire_consent_if_due",
    "expire_overdue_consents",
    "find_by_consent_token",
    "find_request",
    "form_spec",
    "form_progress",
    "form_summary",
    "give_consent",
    "has_consent",
    "may_see_result",
    "may_view",
    "open_at_desk",
    "overdue_consent_requests",
    "print_at_desk",
    "record_view",
    "refresh",
    "refusal_ground_text",
    "request_form",
    "request_form_at_desk",
    "requests_of",
    "resend_consent_code",
    "result_document",
    "resume",
    "retry_at_desk",
    "send_consent_code_again",
    "service_names",
    "show_at_desk",
    "valid_until_for",
]
