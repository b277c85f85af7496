"""Hospitalization referrals through the Hospitalization Bureau (regulation 001 annex 13, form 001-3/у):
the clinic's specialist reviews the package of documents (15 minutes: the pre-hospital examinations the
receiving department's profile requires, each within its validity), the Bureau registers the patient and gives
the date (1 working day, outside the clinic's control, tracked), the specialist stamps the talon and hands it
over (15 minutes). Each referral is a service request ("hospitalization-referral", HR-2026-000123) linked to a
HospitalReferral.

Rules kept here:
- "not indicated" and "examinations incomplete" are medical decisions with a reason: the request is completed
  with the decision, never refused;
- the Bureau is an adapter behind a contract (app.registries.hospitalization): by default staff type its
  answer from the portal; an outage leaves the referral queued with everything entered, and staff send it
  again from the list;
- the patient follows the referral on /status and gets an SMS when the date is known;
- not offered on the website or the kiosk (001:1774).
"""

from app.services import documents, request_summary
from app.services import requests as request_kernel
from app.services.referrals.operations import (
    ask_bureau,
    hand_over,
    print_talon,
    record_answer,
    record_decision,
    retry_queue,
    review_and_send,
    send,
)
from app.services.referrals.queries import (
    ReferralList,
    counts_by_status,
    examination_rows,
    find_by_number,
    hospitals,
    open_list,
    open_referral,
    prefetch_referrals,
    queued,
    referral_for_request,
    referral_summary,
    referrals,
)
from app.services.referrals.rules import (
    EXAMINATIONS,
    PROFILES,
    SERVICE,
    TALON_KIND,
    TALON_PREFIX,
    ChangeNotAllowed,
    ExaminationCheck,
    InvalidReferral,
    Package,
    ReferralError,
    bureau_due,
    check_examinations,
    examinations,
    profiles,
    required_for,
)
from app.services.referrals.texts import (
    BUREAU_UNAVAILABLE_MESSAGE,
    DECISION_LABELS,
    EXAMINATION_LABELS,
    PROBLEM_LABELS,
    PROFILE_LABELS,
    REQUEST_STATUS_LABELS,
    STATUS_LABELS,
    STEP_LABELS,
    TALON_TITLE,
)

# ---- the service's hooks ----------------------------------------------------------------------------------
request_summary.register(SERVICE, referral_summary)
request_summary.register_prefetch(SERVICE, prefetch_referrals)
request_kernel.register_labels(SERVICE, steps=STEP_LABELS, statuses=REQUEST_STATUS_LABELS)
documents.register_kind(TALON_KIND, TALON_PREFIX, TALON_TITLE)

__all__ = [
    "BUREAU_UNAVAILABLE_MESSAGE",
    "DECISION_LABELS",
    "EXAMINATIONS",
    "EXAMINATION_LABELS",
    "PROBLEM_LABELS",
    "PROFILES",
    "PROFILE_LABELS",
    "REQUEST_STATUS_LABELS",
    "SERVICE",
    "STATUS_LABELS",
    "STEP_LABELS",
    "TALON_KIND",
    "ChangeNotAllowed",
    "ExaminationCheck",
    "InvalidReferral",
    "Package",
    "ReferralError",
    "ReferralList",
    "ask_bureau",
    "bureau_due",
    "check_examinations",
    "counts_by_status",
    "examination_rows",
    "examinations",
    "find_by_number",
    "hand_over",
    "hospitals",
    "open_list",
    "open_referral",
    "print_talon",
    "profiles",
    "queued",
    "record_answer",
    "record_decision",
    "referral_for_request",
    "referral_summary",
    "referrals",
    "required_for",
    "retry_queue",
    "review_and_send",
    "send",
]
