"""The contract every national-registry adapter implements. Services depend on this module only.

Adapters own transport, timeouts, retries and error mapping; services see these dataclasses and the two
documented errors, never a transport exception.
"""

from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol

Register = Literal["tb", "psychiatry", "narcology"]
REGISTERS: tuple[Register, ...] = ("tb", "psychiatry", "narcology")


class RegistryError(Exception):
    """Base of the contract's errors."""


class RegistryUnavailable(RegistryError):
    """The registry could not answer now (down, timed out, circuit open). Retry later; nothing is lost."""


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
    """Whether a person is on the TB dispensary register or under dynamic observation (psychiatry, narcology)."""

    iin: str
    register: Register
    is_registered: bool
    since: date | None
    source: str  # the information system that answered, printed on the information form


class NationalRegistry(Protocol):
    name: str  # "local" | "http"

    def find_person(self, iin: str) -> Person: ...

    def attachment_of(self, iin: str) -> Attachment: ...

    def attach(
        self, iin: str, clinic_code: str, district_number: int, on_date: date, *, free_choice: bool
    ) -> Attachment: ...

    def detach(self, iin: str, clinic_code: str, on_date: date) -> Attachment: ...

    def register_status(self, iin: str, register: Register) -> RegisterStatus: ...

    def check_connection(self) -> None:
        """Raise RegistryUnavailable when the registry cannot be reached."""
        ...
