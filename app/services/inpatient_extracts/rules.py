"""Service 8, extract from the medical record of an inpatient (001 annex 8): offered only when the clinic's
day hospital module is on (product decision 5); the discharge summary's fields; the errors."""

import re
from dataclasses import dataclass
from datetime import date

SERVICE = "inpatient-extract"
MODULE = "day_hospital"
MAX_TEXT = 4000
MAX_OTHER_DIAGNOSES = 10


class ExtractError(Exception):
    """A step the rules refuse; `message` is translatable, `field` names the form field."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


@dataclass(frozen=True)
class DischargeSummary:
    """What the attending or duty doctor writes at step 1."""

    card_number: str
    department: str
    admitted_on: date | None
    discharged_on: date | None
    main_diagnosis: str
    other_diagnoses: tuple[str, ...] = ()
    examinations: str = ""
    treatment: str = ""
    condition: str = ""
    recommendations: str = ""
    sick_leave: str = ""


def split_codes(text: str) -> tuple[str, ...]:
    """ "J18.9, I10; E11.9" -> ("J18.9", "I10", "E11.9") as typed (checked by the diagnoses room)."""
    return tuple(part for part in re.split(r"[\s,;]+", text or "") if part)
