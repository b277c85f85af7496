"""The one catalogue of the 14 services: names, passports, deadlines, refusal grounds, and what is built.

Passport rows follow the 11-row shape of the service standard in regulation 004 (ҚР ДСМ-51); the wording
is taken from the regulations in ../shared/regulations (newest text wins: 004 > 001 > 000 > 002).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.services.bilingual import Bilingual as T
from app.services.calendar import WorkingCalendar

# The order of the passport rows, and their headings, in regulation 004's standard.
PASSPORT_ROWS = (
    ("provider", T("Көрсетілетін қызметті берушінің атауы", "Наименование услугодателя")),
    ("recipients", T("Көрсетілетін қызметті алушылар", "Услугополучатели")),
    ("channels", T("Ұсыну тәсілдері", "Способы предоставления")),
    ("term", T("Көрсету мерзімі", "Срок оказания")),
    ("form", T("Көрсету нысаны", "Форма оказания")),
    ("result", T("Көрсету нәтижесі", "Результат оказания")),
    ("fee", T("Төлем мөлшері", "Размер оплаты")),
    ("schedule", T("Жұмыс кестесі", "График работы")),
    ("documents", T("Қажетті құжаттар тізбесі", "Перечень необходимых документов")),
    ("refusal", T("Бас тарту негіздері", "Основания для отказа")),
    ("other", T("Өзге де талаптар", "Иные требования")),
)


@dataclass(frozen=True)
class DeadlineRule:
    """How the deadline of a request is computed from the moment it is received.

    kinds: "minutes" (calendar minutes, for services that answer automatically 24/7),
    "working_minutes" (minutes of the clinic's open time), "working_days" (close of the N-th working day),
    "same_day" (by the clinic's closing time on the day of receipt, or the next working day's).
    """

    kind: str
    amount: int = 0

    def apply(self, received_at: datetime, calendar: WorkingCalendar) -> datetime:
        if self.kind == "minutes":
            return received_at + timedelta(minutes=self.amount)
        if self.kind == "working_minutes":
            return calendar.add_working_minutes(received_at, self.amount)
        if self.kind == "working_days":
            return calendar.add_working_days(received_at, self.amount)
        if self.kind == "same_day":
            hours = calendar.hours_on(received_at.astimezone(calendar_tz()).date())
            if hours is not None and received_at < hours[1]:
                return hours[1]
            next_day = calendar.next_working_day(received_at.astimezone(calendar_tz()).date())
            return calendar.hours_on(next_day)[1]
        raise ValueError(f"unknown deadline kind {self.kind!r}")


def calendar_tz():
    from app.services.clock import ALMATY

    return ALMATY


@dataclass(frozen=True)
class Service:
    number: int  # its row in the regulations digest (shared/regulations/README.md)
    slug: str
    prefix: str  # of request numbers: AP-2026-000123
    name: T
    passport: dict[str, T]
    deadlines: dict[str, DeadlineRule]  # per channel; "*" applies to any channel not listed
    refusal_grounds: dict[str, T] = field(default_factory=dict)
    sources: str = ""  # which regulation files and items the passport quotes
    built: bool = False
    start_endpoint: str | None = None  # where a patient starts the service online, once built

    def deadline_for(self, channel: str, received_at: datetime, calendar: WorkingCalendar) -> datetime | None:
        rule = self.deadlines.get(channel) or self.deadlines.get("*")
        return rule.apply(received_at, calendar) if rule else None

    def passport_rows(self):
        """(heading, text) pairs in the standard's order."""
        return [(heading, self.passport[key]) for key, heading in PASSPORT_ROWS]


# Refusal grounds shared by booking and home calls (regulations 000, 001 services 1-2, 002 services 1-2).
NO_IDENTITY_DOCUMENT = T(
    "Жеке басын куәландыратын құжаттың болмауы", "Отсутствие документа, удостоверяющего личность"
)
NOT_ATTACHED = T(
    "Пациенттің осы МСАК ұйымына бекітілмегені",
    "Пациент не прикреплён к данной организации ПМСП",
)

SERVICES: tuple[Service, ...] = ()  # filled below, in the digest's order


def all_services() -> tuple[Service, ...]:
    return SERVICES


def get(slug: str) -> Service:
    for service in SERVICES:
        if service.slug == slug:
            return service
    raise KeyError(f"no service {slug!r} in the catalogue")


def by_prefix(prefix: str) -> Service:
    for service in SERVICES:
        if service.prefix == prefix:
            return service
    raise KeyError(f"no service with prefix {prefix!r}")
