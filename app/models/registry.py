"""The embedded local registry: the clinic's own copy of the national registries.

It stands in for the state database of individuals (ГБД ФЛ), the register of attached population
(РПН / БХТ) and the TB, psychiatric and narcological registers when the clinic has no gateway to them.
Admins manage it (app/blueprints/registry_admin); services reach it only through app.registries.
"""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base

REGISTER_CODES = ("tb", "psychiatry", "narcology")


def name_key(last_name: str, first_name: str, middle_name: str = "") -> str:
    return " ".join(part for part in (last_name, first_name, middle_name) if part).casefold()


class RegistryPerson(Base):
    """A record of the state database of individuals."""

    __tablename__ = "registry_person"

    id: Mapped[int] = mapped_column(primary_key=True)
    iin: Mapped[str] = mapped_column(String(12), unique=True)
    last_name: Mapped[str] = mapped_column(String(100), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str] = mapped_column(String(100), default="")
    birth_date: Mapped[date]
    sex: Mapped[str] = mapped_column(String(1))  # "M" | "F", as the IIN encodes it
    address: Mapped[str] = mapped_column(String(500), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    # "фамилия имя отчество" case-folded in Python: SQLite's LIKE and lower() fold ASCII only, so a search
    # for "ахметов" would miss "Ахметов" without it. Set through name_key() on every write.
    name_key: Mapped[str] = mapped_column(String(310), default="", index=True)
    updated_at: Mapped[datetime]

    # One current attachment per person; the row outlives a detachment so the free-choice date survives.
    attachment: Mapped["RegistryAttachment | None"] = relationship(
        back_populates="person", cascade="all, delete-orphan", uselist=False, lazy="joined"
    )
    register_entries: Mapped[list["RegistryRegisterEntry"]] = relationship(
        back_populates="person",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="RegistryRegisterEntry.register",
    )

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.middle_name) if part)

    def register_entry(self, register: str) -> "RegistryRegisterEntry | None":
        return next((entry for entry in self.register_entries if entry.register == register), None)


class RegistryAttachment(Base):
    """Where a person is attached (register of attached population). clinic_code NULL: attached nowhere."""

    __tablename__ = "registry_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("registry_person.id", ondelete="CASCADE"), unique=True)
    clinic_code: Mapped[str | None] = mapped_column(String(20), index=True)
    clinic_name: Mapped[str] = mapped_column(String(300), default="")
    district_number: Mapped[int | None]
    since: Mapped[date | None]
    last_free_choice_on: Mapped[date | None]

    person: Mapped[RegistryPerson] = relationship(back_populates="attachment")


class RegistryRegisterEntry(Base):
    """The person is on the TB dispensary register or under dynamic observation (psychiatry, narcology)."""

    __tablename__ = "registry_register_entry"
    __table_args__ = (
        UniqueConstraint("person_id", "register"),
        CheckConstraint("register IN ('tb', 'psychiatry', 'narcology')", name="known_register"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("registry_person.id", ondelete="CASCADE"), index=True)
    register: Mapped[str] = mapped_column(String(20))
    since: Mapped[date]

    person: Mapped[RegistryPerson] = relationship(back_populates="register_entries")
