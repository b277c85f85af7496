"""The rules of service 14 (regulation 002, «Выдача документов о прохождении подготовки, повышения
квалификации и переподготовки кадров отрасли здравоохранения»): the document each programme ends with, the
two clocks, suspension for a debt, the duplicate's conditions, and the errors a person sees."""

import calendar as month_calendar
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _

from app.core.bilingual import Bilingual as T
from app.core.clock import ALMATY
from app.services import catalogue
from app.services.calendar import WorkingCalendar

SERVICE = "training-documents"
# 002 line 1608: «не должны превышать 15 (пятнадцать) рабочих дней со дня принятия решения итоговой
# аттестационной комиссии». Working days of the law (the catalogue's "legal_working_days": Monday to Friday
# less public holidays, with the transfers the admin entered), not the clinic's calendar: the provider is a
# college (002:1592, 9:00-18:00 on working days), and a clinic open on Saturdays must not shorten the term.
TERM_WORKING_DAYS = 15
# 002 line 1650: a duplicate «не позднее одного месяца со дня поступления заявления».
DUPLICATE_TERM_MONTHS = 1

# The document each programme kind ends with (002 lines 1598-1606), in the Russian of the blanks and the
# Kazakh of the passport; the document engine's kind code and number prefix.
DOCUMENT_TITLES = {
    "qualification_upgrade": T(
        "Біліктілікті арттыру туралы куәлік", "Свидетельство о повышении квалификации"
    ),
    "retraining": T("Қайта даярлау туралы куәлік", "Удостоверение о переподготовке"),
    "vocational": T("Диплом", "Диплом"),
}
DOCUMENT_KIND_CODES = {
    "qualification_upgrade": "training_certificate",
    "retraining": "training_retraining",
    "vocational": "training_diploma",
}
DOCUMENT_PREFIXES = {"qualification_upgrade": "TQU", "retraining": "TRT", "vocational": "TDP"}
DUPLICATE_STAMP = "Дубликат взамен подлинника № {number}"
SIGNER_ROLES = ("head", "academic_deputy")


def original_deadline(decided_on: date, calendar: WorkingCalendar) -> datetime:
    """Close of the 15th working day after the commission's decision (the catalogue's rule)."""
    rule = catalogue.get(SERVICE).deadline_rule("desk")
    return rule.apply(datetime.combine(decided_on, time(0, 0), ALMATY), calendar)


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has no such day (31 Jan -> 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def duplicate_deadline(applied_on: date) -> datetime:
    """End of the day one calendar month after the application came in."""
    return datetime.combine(add_months(applied_on, DUPLICATE_TERM_MONTHS), time(23, 59, 59), ALMATY)


def paused_working_days(calendar: WorkingCalendar, suspended_at: datetime, resumed_at: datetime) -> int:
    """Working days the suspension took: from the day it began up to, not including, the day it was lifted
    (a suspension lifted the same day costs nothing)."""
    day, end = suspended_at.astimezone(ALMATY).date(), resumed_at.astimezone(ALMATY).date()
    count = 0
    while day < end:
        count += calendar.is_working_day(day)
        day += timedelta(days=1)
    return count


def shift_by_working_days(calendar: WorkingCalendar, deadline: datetime, days: int) -> datetime:
    """A working-day deadline moved on by `days` working days (close of that day)."""
    if days <= 0:
        return deadline
    day = deadline.astimezone(ALMATY).date()
    for _step in range(days):
        day = calendar.next_working_day(day)
    return calendar.hours_on(day)[1]


def resumed_deadline(
    calendar: WorkingCalendar,
    paused: datetime,
    suspended_at: datetime,
    resumed_at: datetime,
    *,
    duplicate: bool,
) -> datetime:
    """The deadline after a suspension: the paused time does not count. An original's clock counts working
    days of the law, so it moves on by the legal working days paused; a duplicate's month by the calendar days
    paused."""
    if duplicate:
        days = (resumed_at.astimezone(ALMATY).date() - suspended_at.astimezone(ALMATY).date()).days
        return paused + timedelta(days=max(days, 0))
    legal = calendar.for_legal_terms()
    return shift_by_working_days(legal, paused, paused_working_days(legal, suspended_at, resumed_at))


def stamp_text(original_blank: str) -> str:
    return DUPLICATE_STAMP.format(number=original_blank or "______")


# ---- errors the person sees ------------------------------------------------------------------------------


class TrainingError(Exception):
    """A refused step; `field` names the form field the message belongs beside (None: the whole form)."""

    field: str | None = None

    @property
    def message(self) -> str:
        raise NotImplementedError


class ModuleSwitchedOff(TrainingError):
    @property
    def message(self) -> str:
        return _(
            "The training centre is switched off. An administrator can switch it on in the clinic settings."
        )


class NotPassed(TrainingError):
    @property
    def message(self) -> str:
        return _("This trainee has not passed the final attestation: no document can be issued.")


class SecondOriginal(TrainingError):
    @property
    def message(self) -> str:
        return _(
            "This person already has an original document for this programme. Issue a duplicate instead."
        )


class BlankUsed(TrainingError):
    field = "blank_number"

    @property
    def message(self) -> str:
        return _("A document was already printed on this blank (series and number). Take the next blank.")


class NotSealed(TrainingError):
    field = "sealed"

    @property
    def message(self) -> str:
        return _("The document must be sealed with the organisation's seal before it is issued.")


class WrongSigner(TrainingError):
    field = "signed_by"

    @property
    def message(self) -> str:
        return _("The document is signed by the head or the deputy head of the organisation.")


class DuplicateSigners(TrainingError):
    field = "deputy_signed_by"

    @property
    def message(self) -> str:
        return _("A duplicate is signed by the head and by the deputy head for academic work.")


class Suspended(TrainingError):
    @property
    def message(self) -> str:
        return _("The service is suspended until the trainee's debt is settled. Lift the suspension first.")


class NotSuspended(TrainingError):
    @property
    def message(self) -> str:
        return _("This document is not suspended.")


class WrongStep(TrainingError):
    @property
    def message(self) -> str:
        return _("This step has already been done or cannot be done yet.")


class ProxyDetailsMissing(TrainingError):
    field = "proxy_name"

    @property
    def message(self) -> str:
        return _("Enter the name of the person receiving the document and their power of attorney.")


class JournalNotSigned(TrainingError):
    field = "journal_signed"

    @property
    def message(self) -> str:
        return _("The recipient signs in the accounting journal before the document is handed over.")


class NoticeMissing(TrainingError):
    field = "notice_title"

    @property
    def message(self) -> str:
        return _("A duplicate needs the newspaper notice of the loss: the newspaper, issue number and date.")


class PaymentMissing(TrainingError):
    field = "payment_document"

    @property
    def message(self) -> str:
        return _("A duplicate is paid: enter the payment document, the amount and the date of payment.")


class PaymentTooSmall(TrainingError):
    field = "payment_amount"

    def __init__(self, price: int):
        super().__init__(f"less than {price}")
        self.price = price

    @property
    def message(self) -> str:
        return _("The price of a duplicate in the clinic's price list is %(price)s tenge.", price=self.price)


class LossNotStated(TrainingError):
    field = "loss_circumstances"

    @property
    def message(self) -> str:
        return _("The application states how the original document was lost.")


class NoOriginal(TrainingError):
    @property
    def message(self) -> str:
        return _("A duplicate replaces an original that was issued. This person has no issued original yet.")


class DateInFuture(TrainingError):
    def __init__(self, field: str):
        super().__init__(field)
        self.field = field

    @property
    def message(self) -> str:
        return _("This date cannot be in the future.")


class NothingTicked(TrainingError):
    field = "passed"

    @property
    def message(self) -> str:
        return _("Tick the trainees who passed the final attestation.")


class AlreadyExists(TrainingError):
    def __init__(self, field: str):
        super().__init__(field)
        self.field = field

    @property
    def message(self) -> str:
        return _("This is already recorded; enter another value.")


class InvalidIin(TrainingError):
    field = "iin"

    @property
    def message(self) -> str:
        return _("Enter a valid 12-digit IIN.")


class EndsBeforeStart(TrainingError):
    field = "ends_on"

    @property
    def message(self) -> str:
        return _("The last day of study cannot be before the first.")


# ---- the printed document: the blank's Russian wording, Kazakh beside it when the clinic wants both ------

PRINT_LABELS = {
    "issued_to": T("Осы құжат берілді", "Настоящий документ выдан"),
    "iin": T("ЖСН", "ИИН"),
    "completed": T("оқуды аяқтағаны туралы", "в том, что он(а) прошёл(ла) обучение"),
    "programme": T("Бағдарлама", "Программа"),
    "hours": T("Сағат саны", "Объём, часов"),
    "period": T("Оқу мерзімі", "Период обучения"),
    "decision": T("Қорытынды аттестаттау комиссиясының шешімі", "Решение итоговой аттестационной комиссии"),
    "blank": T("Бланк сериясы мен нөмірі", "Серия и номер бланка"),
    "head": T("Бірінші басшы (орынбасары)", "Первый руководитель (заместитель)"),
    "head_only": T("Бірінші басшы", "Первый руководитель"),
    "academic_deputy": T("Оқу жұмысы жөніндегі орынбасары", "Заместитель по учебной работе"),
    "seal": T("М.О.", "М.П."),
    "city_date": T("Берілген күні", "Дата выдачи"),
}
