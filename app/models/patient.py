"""The clinic's own card of a person it serves (the national registry is separate: app.registries)."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base
from app.models.clinic import District


class Patient(Base):
    __tablename__ = "patient"

    id: Mapped[int] = mapped_column(primary_key=True)
    iin: Mapped[str] = mapped_column(String(12), unique=True)
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str] = mapped_column(String(100), default="")
    birth_date: Mapped[date]
    sex: Mapped[str] = mapped_column(String(1))  # "M" | "F", as derived from the IIN
    address: Mapped[str] = mapped_column(String(500), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")  # +7XXXXXXXXXX
    language: Mapped[str] = mapped_column(String(2), default="kk")
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
    created_at: Mapped[datetime]

    district: Mapped[District | None] = relationship()

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.middle_name) if part)

    @property
    def masked_name(self) -> str:
        """Shown where the person is not yet identified: "Ахметова А. Б." -> "А***** А. Б."."""
        initials = " ".join(f"{part[0]}." for part in (self.first_name, self.middle_name) if part)
        return f"{self.last_name[0]}{'*' * (len(self.last_name) - 1)} {initials}".strip()
