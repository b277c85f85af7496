"""The Hospitalization Bureau (ЕИСЗ «Портал Бюро госпитализации»): the contract and the embedded default.
Services import app.registries.hospitalization, which re-exports these names and chooses the adapter:

    from app.registries import hospitalization as bureau

    hub = bureau.get_bureau()
    try:
        receipt = hub.submit(package)          # the clinic's specialist sends the reviewed package
        answer = hub.answer(receipt.ticket)    # None while the Bureau has not given a date
    except bureau.BureauUnavailable:
        ...  # no answer now: the referral waits in the queue staff retry; nothing is lost
    except bureau.BureauRejected:
        ...  # the Bureau answered: this package does not fit its API (a final answer)

BUREAU_BACKEND=embedded (default): a self-hosted clinic cannot talk to the portal, so the "Bureau" takes the
package at once and never answers by itself (`answers_by_itself` False): the specialist reads the portal and
types its answer (referral code, hospital, date), as product decision 3 says.
BUREAU_BACKEND=http: the gateway at BUREAU_URL (docs/bureau-gateway.openapi.yaml, app.registries.bureau_http),
with the registries' timeouts, retries, circuit breaker and outage path.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import Protocol

_IIN = re.compile(r"^\d{12}$")


class BureauError(Exception):
    """Base of the contract's errors."""


class BureauUnavailable(BureauError):
    """The Bureau could not answer now (down, timed out, circuit open, misconfigured). Retry later.

    `reason`: "timeout", "connection_error", "server_error", "malformed_response", "unauthorized",
    "circuit_open", "not_configured", "unexpected_status", "unexpected_error"."""

    def __init__(self, reason: str = "unavailable", detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class BureauRejected(BureauError):
    """The Bureau answered: the package does not fit (no IIN, no diagnosis). Final; fix the package."""


class TicketUnknown(BureauError):
    """The Bureau answered: it has no such ticket."""


@dataclass(frozen=True)
class ReferralPackage:
    """What the clinic sends after the review: the referral's number is the idempotency key."""

    referral_number: str
    iin: str
    full_name: str
    birth_date: date
    diagnosis_code: str
    profile: str
    preferred_hospital: str
    clinic_code: str

    def problems(self) -> list[str]:
        found = []
        if not self.referral_number:
            found.append("referral_number")
        if not _IIN.match(self.iin or ""):
            found.append("iin")
        if not self.diagnosis_code:
            found.append("diagnosis_code")
        if not self.profile:
            found.append("profile")
        return found


@dataclass(frozen=True)
class BureauReceipt:
    ticket: str
    source: str


@dataclass(frozen=True)
class BureauAnswer:
    """The Bureau's answer: its referral code, the receiving hospital and the hospitalization date."""

    ticket: str
    referral_code: str
    hospital: str
    hospitalization_date: date
    source: str


class HospitalizationBureau(Protocol):
    name: str  # "embedded" | "http"
    answers_by_itself: bool  # False: staff type the Bureau's answer

    def submit(self, package: ReferralPackage) -> BureauReceipt:
        """Register the package; the same referral number gives the same ticket (safe to send again)."""
        ...

    def answer(self, ticket: str) -> BureauAnswer | None:
        """The Bureau's answer, or None while it has not given a date. TicketUnknown for a ticket it never
        issued."""
        ...

    def check_connection(self) -> None: ...


class EmbeddedBureau:
    """The default: takes every well-formed package, never answers by itself (staff type the answer)."""

    name = "embedded"
    answers_by_itself = False
    prefix = "EMB-"

    def submit(self, package: ReferralPackage) -> BureauReceipt:
        problems = package.problems()
        if problems:
            raise BureauRejected(", ".join(problems))
        return BureauReceipt(ticket=self.prefix + package.referral_number, source="embedded")

    def answer(self, ticket: str) -> BureauAnswer | None:
        if not (ticket or "").startswith(self.prefix):
            raise TicketUnknown(ticket)
        return None

    def check_connection(self) -> None:
        return None
