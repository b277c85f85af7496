"""The clinic itself: its profile, districts (учаскелер) and calendar exceptions."""

from datetime import date, time

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base

# Regulation 002: Mon-Fri 08:00-20:00, Sat 09:00-14:00, closed on Sundays. Keys are ISO weekdays (1 = Monday).
DEFAULT_WORKING_HOURS = {
    "1": ["08:00", "20:00"],
    "2": ["08:00", "20:00"],
    "3": ["08:00", "20:00"],
    "4": ["08:00", "20:00"],
    "5": ["08:00", "20:00"],
    "6": ["09:00", "14:00"],
}


class Clinic(Base):
    """One row: Emhana serves a single polyclinic."""

    __tablename__ = "clinic"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_kk: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str] = mapped_column(String(300))
    # The clinic's code in the register of attached population: whether a person is attached *here*
    # is `registry.attachment_of(iin).clinic_code == clinic.code`.
    code: Mapped[str] = mapped_column(String(20), default="")
    address_kk: Mapped[str] = mapped_column(String(500), default="")
    address_ru: Mapped[str] = mapped_column(String(500), default="")
    phones: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    # {"1": ["08:00", "20:00"], ...}; a missing weekday means closed.
    working_hours: Mapped[dict] = mapped_column(JSON, default=lambda: dict(DEFAULT_WORKING_HOURS))
    attached_population_norm: Mapped[int] = mapped_column(default=30000)

    districts: Mapped[list["District"]] = relationship(back_populates="clinic", order_by="District.number")

    def name(self, locale: str) -> str:
        return self.name_ru if locale == "ru" else self.name_kk

    def address(self, locale: str) -> str:
        return self.address_ru if locale == "ru" else self.address_kk

    def hours_on(self, iso_weekday: int) -> tuple[time, time] | None:
        span = (self.working_hours or {}).get(str(iso_weekday))
        if not span:
            return None
        opens, closes = (time.fromisoformat(value) for value in span)
        return opens, closes


class District(Base):
    """A territorial district (учаске / участок) served by one district doctor."""

    __tablename__ = "district"
    __table_args__ = (UniqueConstraint("clinic_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20), default="therapeutic")  # therapeutic | paediatric | gp
    # Streets and houses of the district, one per line, as the clinic's territory order lists them.
    territory: Mapped[str] = mapped_column(Text, default="")
    population_norm: Mapped[int] = mapped_column(default=2200)

    clinic: Mapped[Clinic] = relationship(back_populates="districts")


class CalendarException(Base):
    """An admin-entered change to the national calendar: a transferred day off or a working Saturday."""

    __tablename__ = "calendar_exception"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    is_working: Mapped[bool]  # True: a working day that would otherwise be off; False: an extra day off
    note: Mapped[str] = mapped_column(String(300), default="")
