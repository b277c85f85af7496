"""Staff accounts: registrars, doctors, heads and admins."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base
from app.models.clinic import District

ROLES = (
    "registrar",
    "doctor",
    "head",
    "admin",
    # urgent care (service 12) and hospitalization referrals (service 13)
    "urgent_nurse",
    "urgent_doctor",
    "referral_specialist",
    # training documents (service 14): the training centre's methodologist and the deputy for academic work
    "methodologist",
    "academic_deputy",
    # documents signed at the clinic (services 8, 9): the day hospital's head of department and senior nurse
    "head_of_department",
    "senior_nurse",
    # HIV testing (service 7): the counselling-room doctor, the procedure-room nurse, the laboratory.
    "counselling_doctor",
    "procedure_nurse",
    "lab",
    # sick leave (services 10, 11): the issuing desk's medical worker (stamps, the register book)
    "issuing_desk",
)


class StaffMember(UserMixin, Base):
    __tablename__ = "staff_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Doctors only: a speciality code from app.services.specialities and, for district doctors, a district.
    speciality: Mapped[str | None] = mapped_column(String(40))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
    room: Mapped[str] = mapped_column(String(20), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")

    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    district: Mapped[District | None] = relationship()
    role_rows: Mapped[list["StaffRole"]] = relationship(
        back_populates="staff", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated accounts cannot sign in
        return self.is_active_account


class StaffRole(Base):
    __tablename__ = "staff_role"
    __table_args__ = (UniqueConstraint("staff_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))

    staff: Mapped[StaffMember] = relationship(back_populates="role_rows")
