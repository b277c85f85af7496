"""Documents signed at the clinic: PHC certificates (service 9) and inpatient extracts (service 8). One row
per service request, holding what the generic request and its sign-off do not."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.models.base import Base
from app.models.requests import ServiceRequest
from app.models.staff import StaffMember


class PhcCertificate(Base):
    __tablename__ = "phc_certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # a code from phc_certificates.KINDS
    purpose: Mapped[str] = mapped_column(String(300), default="")
    # Who presented it: the person ("self") or a proxy with a power of attorney ("proxy").
    presented_by: Mapped[str] = mapped_column(String(10), default="self")
    identity_document: Mapped[str] = mapped_column(String(200), default="")
    proxy_name: Mapped[str] = mapped_column(String(200), default="")
    proxy_iin: Mapped[str] = mapped_column(String(12), default="")
    proxy_document_number: Mapped[str] = mapped_column(String(50), default="")
    proxy_document_date: Mapped[date | None]
    # The register of attached population's answer when the doctor opened the request.
    attachment_state: Mapped[str] = mapped_column(String(20), default="")  # attached | not_attached | ...
    attachment_clinic: Mapped[str] = mapped_column(String(300), default="")
    attachment_district: Mapped[int | None]
    attachment_checked_at: Mapped[datetime | None]
    conclusion: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[dict] = mapped_column(JSON, default=dict)  # the kind's own fields (035-2/у, 079/у)
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))

    request: Mapped[ServiceRequest] = relationship(
        backref=backref("phc_certificate", uselist=False), lazy="joined", innerjoin=True
    )
    doctor: Mapped[StaffMember | None] = relationship()


class InpatientExtract(Base):
    __tablename__ = "inpatient_extract"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), unique=True)
    card_number: Mapped[str] = mapped_column(String(30), default="")
    department: Mapped[str] = mapped_column(String(200), default="")
    admitted_on: Mapped[date]
    discharged_on: Mapped[date]
    main_diagnosis: Mapped[str] = mapped_column(String(10))  # ICD-10 code
    other_diagnoses: Mapped[list] = mapped_column(JSON, default=list)  # ICD-10 codes
    examinations: Mapped[str] = mapped_column(Text, default="")
    treatment: Mapped[str] = mapped_column(Text, default="")
    condition: Mapped[str] = mapped_column(Text, default="")
    recommendations: Mapped[str] = mapped_column(Text, default="")
    sick_leave: Mapped[str] = mapped_column(String(300), default="")
    head_surname: Mapped[str] = mapped_column(String(100), default="")  # written in full by the head
    handed_to: Mapped[str] = mapped_column(String(200), default="")
    handover_document: Mapped[str] = mapped_column(String(200), default="")
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))

    request: Mapped[ServiceRequest] = relationship(
        backref=backref("inpatient_extract", uselist=False), lazy="joined", innerjoin=True
    )
    doctor: Mapped[StaffMember | None] = relationship()
