"""The contract every national-registry adapter implements. Services depend on this module only.

Adapters own transport, timeouts, retries and error mapping; services see these dataclasses and the two
documented errors, never a transport exception:

- `NotFound`: the registry answered and has no such person. A final answer, safe to act on.
- `RegistryUnavailable`: no trustworthy answer now (down, timed out, 5xx, garbled reply, circuit open,
  misconfigured). Not an answer about the person: keep the request waiting (`awaiting_registry`) and retry.
"""

from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol

Register = Literal["tb", "psychiatry", "narcology"]
REGISTERS: tuple[Register, ...] = ("tb", "psychiatry", "narcology")


class RegistryError(Exception):
    """Base of the contract's errors."""


class RegistryUnavailable(RegistryError):
    """The registry could not answer now (down, timed out, circuit open). Retry later; nothing is lost.

    `reason` is a short machine word for logs and the health report: "timeout", "connection_error",
    "server_error", "malformed_response", "unauthorized", "circuit_open", "not_configured", "database_error",
    "unexpected_status".
    """

    def __init__(self, reason: str = "unavailable", detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class NotFound(RegistryError):
    """The registry answered: it has no such person."""


@dataclass(frozen=True)
class Person:
    """A record of the state database of individuals (ГБД ФЛ)."""

    iin: str
    last_name: str
    first_name: str
    middle_name: str
    birth_date: date
    sex: str  # "M" | "F"
    address: str
    phone: str
    source: str  # which information system answered

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.middle_name) if part)


@dataclass(frozen=True)
class Attachment:
    """Where a person is attached (register of attached population, РПН / БХТ)."""

    iin: str
    clinic_code: str | None  # None: not attached anywhere
    clinic_name: str
    district_number: int | None
    since: date | None
    last_free_choice_on: date | None  # the last change of clinic by free choice (once a year rule)
    source: str

    @property
    def is_attached(self) -> bool:
        return self.clinic_code is not None


@dataclass(frozen=True)
class RegisterStatus:
    """On the TB dispensary register, or under dynamic observation (psychiatry, narcology), or not."""

    iin: str
    register: Register
    is_registered: bool
    since: date | None
    source: str  # the information system that answered, printed on the information form


class NationalRegistry(Protocol):
    """What services may ask. Every method raises RegistryUnavailable when no answer can be had, and the
    person-specific ones raise NotFound for an IIN the state database of individuals does not know."""

    name: str  # "local" | "http"

    def find_person(self, iin: str) -> Person: ...

    def attachment_of(self, iin: str) -> Attachment: ...

    def attach(
        self, iin: str, clinic_code: str, district_number: int, on_date: date, *, free_choice: bool
    ) -> Attachment:
        """Attach the person to `clinic_code` from `on_date`, replacing any previous attachment.

        `free_choice` marks a change of clinic by the person's free choice (recorded as
        last_free_choice_on, which the once-a-year rule reads); moves by the clinic itself pass False."""
        ...

    def detach(self, iin: str, clinic_code: str, on_date: date) -> Attachment:
        """End the person's attachment to `clinic_code`. A person attached elsewhere (or nowhere) is left as
        they are: the answer shows where they are attached now."""
        ...

    def register_status(self, iin: str, register: Register) -> RegisterStatus: ...

    def check_connection(self, *, force: bool = False) -> None:
        """Raise RegistryUnavailable when the registry cannot be reached.

        `force` probes even while a circuit breaker is open (an admin's "check connection")."""
        ...
