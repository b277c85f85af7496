"""The clinic profile, districts (учаскелер) and the admin-entered calendar exceptions."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core.clock import local_now
from app.extensions import db
from app.models import CalendarException, Clinic, District, Patient, StaffMember, StaffRole
from app.services.calendar import clinic_row, get_calendar
from app.services.specialities import get_speciality

WEEKDAYS = range(1, 8)  # ISO weekdays, 1 = Monday
DISTRICT_KINDS = {
    "therapeutic": _l("Therapeutic"),
    "paediatric": _l("Paediatric"),
    "gp": _l("General practice"),
}
MAX_DISTRICT_NUMBER = 999
MAX_POPULATION_NORM = 1_000_000


class ClinicError(ValueError):
    """A change the rules refuse; `message` is shown next to `field` on the form."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


# ---- the profile -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClinicProfile:
    name_kk: str
    name_ru: str
    code: str
    address_kk: str
    address_ru: str
    phones: str
    email: str
    # ISO weekday -> (opens, closes), or None when the clinic is closed that day.
    working_hours: dict[int, tuple[time, time] | None]
    attached_population_norm: int


def get_clinic() -> Clinic | None:
    """The one clinic row; read once per transaction (a booking asks for it five times), shared with the
    working calendar (calendar.clinic_row)."""
    return clinic_row()


def profile_of(clinic: Clinic | None) -> ClinicProfile | None:
    if clinic is None:
        return None
    return ClinicProfile(
        name_kk=clinic.name_kk,
        name_ru=clinic.name_ru,
        code=clinic.code,
        address_kk=clinic.address_kk,
        address_ru=clinic.address_ru,
        phones=clinic.phones,
        email=clinic.email,
        working_hours={day: clinic.hours_on(day) for day in WEEKDAYS},
        attached_population_norm=clinic.attached_population_norm,
    )


def save_profile(profile: ClinicProfile) -> tuple[Clinic, str]:
    """Create or update the one clinic row; returns it and what changed, for the audit log."""
    if not profile.name_kk.strip() or not profile.name_ru.strip():
        raise ClinicError(
            _l("Enter the clinic's name in both languages."),
            field="name_kk" if not profile.name_kk.strip() else "name_ru",
        )
    _check_working_hours(profile.working_hours)
    if not 1 <= profile.attached_population_norm <= MAX_POPULATION_NORM:
        raise ClinicError(
            _l("The norm must be a whole number from 1 to %(max)s.", max=MAX_POPULATION_NORM),
            field="attached_population_norm",
        )
    clinic = get_clinic()
    before = _profile_snapshot(clinic)
    if clinic is None:
        clinic = Clinic(name_kk="", name_ru="")
        db.session.add(clinic)
    clinic.name_kk = profile.name_kk.strip()
    clinic.name_ru = profile.name_ru.strip()
    clinic.code = profile.code.strip()
    clinic.address_kk = profile.address_kk.strip()
    clinic.address_ru = profile.address_ru.strip()
    clinic.phones = profile.phones.strip()
    clinic.email = profile.email.strip()
    clinic.working_hours = {
        str(day): [span[0].strftime("%H:%M"), span[1].strftime("%H:%M")]
        for day, span in sorted(profile.working_hours.items())
        if span is not None
    }
    clinic.attached_population_norm = profile.attached_population_norm
    db.session.flush()
    after = _profile_snapshot(clinic)
    changed = [name for name in after if before.get(name) != after[name]]
    return clinic, ", ".join(changed)


def _check_working_hours(working_hours: dict[int, tuple[time, time] | None]) -> None:
    open_days = 0
    for day in WEEKDAYS:
        span = working_hours.get(day)
        if span is None:
            continue
        opens, closes = span
        if opens >= closes:
            raise ClinicError(
                _l("The closing time must be later than the opening time."), field=f"hours_{day}_closes"
            )
        open_days += 1
    if not open_days:
        raise ClinicError(
            _l("The clinic must be open on at least one day of the week."), field="hours_1_opens"
        )


def _profile_snapshot(clinic: Clinic | None) -> dict:
    if clinic is None:
        return {}
    fields = ("name_kk", "name_ru", "code", "address_kk", "address_ru", "phones", "email")
    snapshot = {name: getattr(clinic, name) for name in fields}
    snapshot["working_hours"] = dict(clinic.working_hours or {})
    snapshot["attached_population_norm"] = clinic.attached_population_norm
    return snapshot


# ---- districts ---------------------------------------------------------------------------------------


def list_districts() -> list[District]:
    return list(db.session.scalars(select(District).order_by(District.number)))


def get_district(district_id: int) -> District | None:
    return db.session.get(District, district_id)


def district_doctors() -> dict[int, list[StaffMember]]:
    """The active doctors of each district, by district id."""
    doctors = db.session.scalars(
        select(StaffMember)
        .join(StaffRole)
        .where(
            StaffMember.district_id.is_not(None),
            StaffMember.is_active_account.is_(True),
            StaffRole.role == "doctor",
        )
        .order_by(StaffMember.full_name)
    )
    by_district: dict[int, list[StaffMember]] = {}
    for doctor in doctors:
        by_district.setdefault(doctor.district_id, []).append(doctor)
    return by_district


def district_patient_counts() -> dict[int, int]:
    """How many of the clinic's patient cards belong to each district, by district id."""
    rows = db.session.execute(
        select(Patient.district_id, func.count(Patient.id))
        .where(Patient.district_id.is_not(None))
        .group_by(Patient.district_id)
    )
    return {district_id: count for district_id, count in rows}


def create_district(*, number: int, kind: str, territory: str, population_norm: int) -> District:
    clinic = get_clinic()
    if clinic is None:
        raise ClinicError(_l("Fill in the clinic profile first."))
    _check_district_fields(number, kind, population_norm, district_id=None)
    district = District(
        clinic=clinic,
        number=number,
        kind=kind,
        territory=_clean_territory(territory),
        population_norm=population_norm,
    )
    db.session.add(district)
    db.session.flush()
    return district


def update_district(
    district: District, *, number: int, kind: str, territory: str, population_norm: int
) -> str:
    """Change a district; returns what changed, for the audit log."""
    _check_district_fields(number, kind, population_norm, district_id=district.id)
    if kind != district.kind:
        for doctor in district_doctors().get(district.id, []):
            speciality = get_speciality(doctor.speciality)
            if speciality is None or speciality.district_kind != kind:
                raise ClinicError(
                    _l(
                        "%(name)s serves this district and has another speciality: "
                        "give the district to a matching doctor first.",
                        name=doctor.full_name,
                    ),
                    field="kind",
                )
    before = (district.number, district.kind, district.territory, district.population_norm)
    district.number = number
    district.kind = kind
    district.territory = _clean_territory(territory)
    district.population_norm = population_norm
    db.session.flush()
    after = (district.number, district.kind, district.territory, district.population_norm)
    names = ("number", "kind", "territory", "population_norm")
    return ", ".join(name for name, old, new in zip(names, before, after, strict=True) if old != new)


def _check_district_fields(number: int, kind: str, population_norm: int, *, district_id: int | None) -> None:
    if not 1 <= number <= MAX_DISTRICT_NUMBER:
        raise ClinicError(
            _l("The district number must be from 1 to %(max)s.", max=MAX_DISTRICT_NUMBER), field="number"
        )
    if kind not in DISTRICT_KINDS:
        raise ClinicError(_l("Choose the kind of district."), field="kind")
    if not 1 <= population_norm <= MAX_POPULATION_NORM:
        raise ClinicError(
            _l("The norm must be a whole number from 1 to %(max)s.", max=MAX_POPULATION_NORM),
            field="population_norm",
        )
    query = select(District.id).where(District.number == number)
    if district_id is not None:
        query = query.where(District.id != district_id)
    if db.session.scalars(query).first() is not None:
        raise ClinicError(_l("District %(number)s already exists.", number=number), field="number")


def _clean_territory(territory: str) -> str:
    lines = (line.strip() for line in territory.replace("\r\n", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


# ---- calendar exceptions and public holidays -------------------------------------------------------


@dataclass(frozen=True)
class PublicHoliday:
    day: date
    name_kk: str
    name_ru: str


# The `holidays` package names Kazakhstan's holidays in Kazakh and English only; these are the Russian names.
_RUSSIAN_HOLIDAY_NAMES = {
    "New Year's Day": "Новый год",
    "Orthodox Christmas": "Православное Рождество",
    "International Women's Day": "Международный женский день",
    "Nowruz Holiday": "Наурыз мейрамы",
    "Kazakhstan's People Solidarity Holiday": "Праздник единства народа Казахстана",
    "Defender of the Fatherland Day": "День защитника Отечества",
    "Victory Day": "День Победы",
    "Capital Day": "День Столицы",
    "Eid al-Adha": "Курбан айт",
    "Constitution Day": "День Конституции",
    "Republic Day": "День Республики",
    "Independence Day": "День Независимости",
}
# en_US writes the original date as MM/DD/YYYY.
_SUBSTITUTED_DAY_OFF = re.compile(
    r"^Day off \(substituted from (?P<month>\d\d)/(?P<day>\d\d)/(?P<year>\d{4})\)$"
)


@lru_cache(maxsize=8)
def _holiday_names(year: int) -> dict[date, tuple[str, str]]:
    english = holidays.country_holidays("KZ", years=year, language="en_US")
    kazakh = holidays.country_holidays("KZ", years=year, language="kk")
    return {day: (kazakh.get(day, name), _russian_holiday_name(name)) for day, name in english.items()}


def _russian_holiday_name(english: str) -> str:
    substituted = _SUBSTITUTED_DAY_OFF.match(english)
    if substituted:
        original = f"{substituted['day']}.{substituted['month']}.{substituted['year']}"
        return f"Перенесённый выходной день (с {original})"
    suffix = ""
    markers = ((" (observed)", " (перенос выходного дня)"), (" (estimated)", " (ориентировочно)"))
    for marker, russian in markers:
        if english.endswith(marker):
            english, suffix = english[: -len(marker)], russian
    return _RUSSIAN_HOLIDAY_NAMES.get(english, english) + suffix


def upcoming_public_holidays(start: date, days: int = 366) -> list[PublicHoliday]:
    """Kazakhstan's public holidays (with the days off they are moved to) from `start` on."""
    calendar = get_calendar()
    found = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        if calendar.is_public_holiday(day):
            name_kk, name_ru = _holiday_names(day.year).get(day, ("", ""))
            found.append(PublicHoliday(day=day, name_kk=name_kk, name_ru=name_ru))
    return found


def list_calendar_exceptions() -> list[CalendarException]:
    return list(db.session.scalars(select(CalendarException).order_by(CalendarException.day)))


def get_calendar_exception(exception_id: int) -> CalendarException | None:
    return db.session.get(CalendarException, exception_id)


def add_calendar_exception(*, day: date, is_working: bool, note: str, today: date) -> CalendarException:
    """Declare `day` a working day or an extra day off.

    Past days are settled: deadlines were already counted on them, so they cannot change.
    """
    if day < today:
        raise ClinicError(_l("Choose today or a later day: past days cannot be changed."), field="day")
    if db.session.scalars(select(CalendarException).where(CalendarException.day == day)).first():
        raise ClinicError(_l("This day already has an exception. Remove it first."), field="day")
    already_working = get_calendar().is_working_day(day)
    if is_working and already_working:
        raise ClinicError(_l("This day is already a working day."), field="day")
    if not is_working and not already_working:
        raise ClinicError(_l("This day is already a day off."), field="day")
    exception = CalendarException(day=day, is_working=is_working, note=note.strip())
    db.session.add(exception)
    db.session.flush()
    return exception


def remove_calendar_exception(exception: CalendarException, *, today: date) -> None:
    if exception.day < today:
        raise ClinicError(_l("Past days cannot be changed."))
    db.session.delete(exception)
    db.session.flush()


# ---- today, for the staff start pages ----------------------------------------------------------------


@dataclass(frozen=True)
class ClinicDay:
    day: date
    opens: datetime | None  # None: the clinic is closed today
    closes: datetime | None
    home_call_cutoff: datetime | None
    is_open_now: bool
    next_working_day: date
    next_holiday: PublicHoliday | None


def today_at_clinic() -> ClinicDay:
    calendar = get_calendar()
    moment = local_now()
    today = moment.date()
    hours = calendar.hours_on(today)
    upcoming = upcoming_public_holidays(today, days=120)
    return ClinicDay(
        day=today,
        opens=hours[0] if hours else None,
        closes=hours[1] if hours else None,
        home_call_cutoff=calendar.same_day_cutoff(today),
        is_open_now=calendar.is_open_at(moment),
        next_working_day=calendar.next_working_day(today),
        next_holiday=upcoming[0] if upcoming else None,
    )
