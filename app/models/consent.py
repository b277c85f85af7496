"""Consent of the person a request is about, when someone else asked (regulation 004, standard row 11)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base
from app.models.patient import Patient
from app.models.requests import ServiceRequest, make_append_only

# How the subject consented: by telling the applicant the code they received, by confirming on the consent
# link with that code, or by the code typed in by a registrar at the desk.
CONSENT_METHODS = ("code_via_applicant", "code_via_link", "code_at_desk")


class Consent(Base):
    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), unique=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"))
    subject_iin: Mapped[str] = mapped_column(String(12))
    method: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(10))
    given_at: Mapped[datetime]
    one_time_code_id: Mapped[int | None] = mapped_column(ForeignKey("one_time_code.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    ip: Mapped[str] = mapped_column(String(45), default="")

    request: Mapped[ServiceRequest] = relationship()
    subject: Mapped[Patient | None] = relationship()


make_append_only(Consent)
