"""Sick leave (services 10, 11; 001 annexes 10, 11): the sheet's fixed lists, the national number's format,
and the routing of a sheet by the clinic's thresholds.

The lists and the routing follow order 183 in outline [GK: the order is not in our files]; the thresholds are
the admin's settings (`SickLeaveSettings`), shown on the passport page, never constants here.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from flask import current_app

from app.core.bilingual import Bilingual as T
from app.services.sick_leave import texts

SHEET = "sick-leave-sheet"
CERTIFICATE = "sick-leave-certificate"
SERVICES = (SHEET, CERTIFICATE)
MAX_PERIOD_DAYS = 180  # one period of release, as typed: a longer one is a typing error
DEFAULT_NATIONAL_NUMBER_PATTERN = r"\d{12}"  # [GK] the national system's sheet number: 12 digits

# The cause of incapacity (the sheet's coded list) [GK].
CAUSES = {
    "illness": T("Ауру", "Заболевание"),
    "injury_work": T("Өндірістегі жарақат", "Травма на производстве"),
    "injury_home": T("Тұрмыстық жарақат", "Бытовая травма"),
    "care_family": T("Науқас отбасы мүшесін күту", "Уход за больным членом семьи"),
    "care_child": T("Науқас баланы күту", "Уход за больным ребёнком"),
    "quarantine": T("Карантин", "Карантин"),
    "maternity": T("Жүктілік және босану", "Беременность и роды"),
    "adoption": T("Жаңа туған баланы асырап алу", "Усыновление новорождённого"),
    "prosthetics": T("Протездеу", "Протезирование"),
    "sanatorium": T("Санаторий-курорттық емдеу", "Санаторно-курортное лечение"),
}
REGIMES = {
    "outpatient": T("Амбулаториялық", "Амбулаторный"),
    "home": T("Үйде", "Домашний"),
    "inpatient": T("Стационарлық", "Стационарный"),
}
ISSUE_MODES = {
    "paper": T("Қағаз бланк (Emhana басып шығарады)", "Бумажный бланк (печатает Emhana)"),
    "electronic": T("Ұлттық жүйедегі электрондық парақ", "Электронный лист в национальной системе"),
}
OUTCOMES = {
    "return_to_work": T("Жұмысқа шығу", "Приступить к работе"),
    "continues_ill": T("Ауруы жалғасуда", "Продолжает болеть"),
}


class SickLeaveError(Exception):
    """A step the rules refuse; `message` is translatable, `field` names the form field when there is one."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


@dataclass(frozen=True)
class SheetFields:
    """What the doctor fills at a visit. At an extension only `ends_on` (and the diagnosis) count."""

    starts_on: date | None = None
    ends_on: date | None = None
    issue_mode: str = "paper"
    national_number: str = ""
    primary: bool = True
    continues_number: str = ""
    cause: str = "illness"
    regime: str = "outpatient"
    workplace: str = ""
    diagnosis: str = ""
    diagnosis_consent: bool = False


@dataclass(frozen=True)
class Routing:
    """Which optional signatures a sheet needs, and why (shown to staff)."""

    total_days: int
    needs_head: bool = False
    needs_deputy: bool = False
    needs_commission: bool = False
    reasons: tuple = field(default_factory=tuple)


def national_number_pattern() -> str:
    return current_app.config.get("SICK_LEAVE_NATIONAL_NUMBER_PATTERN", DEFAULT_NATIONAL_NUMBER_PATTERN)


def is_valid_national_number(number: str) -> bool:
    return bool(re.fullmatch(national_number_pattern(), number or ""))


def route(total_days: int, backdated_days: int, settings) -> Routing:
    """The signatures a sheet of `total_days` (every period so far), opened `backdated_days` before the visit,
    needs under the clinic's settings."""
    reasons = []
    needs_head = total_days > settings.doctor_alone_days
    needs_deputy = total_days > settings.deputy_after_days
    needs_commission = total_days > settings.commission_after_days
    if needs_head:
        reasons.append(texts.head_reason(total_days, settings.doctor_alone_days))
    if needs_deputy:
        reasons.append(texts.deputy_reason(total_days, settings.deputy_after_days))
    if needs_commission:
        reasons.append(texts.commission_reason(total_days, settings.commission_after_days))
    if backdated_days > settings.backdate_days:
        needs_commission = True
        reasons.append(texts.backdate_reason(backdated_days, settings.backdate_days))
    return Routing(total_days, needs_head or needs_deputy, needs_deputy, needs_commission, tuple(reasons))
