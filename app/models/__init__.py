"""All models, imported here so Alembic and create_all see every table."""

from app.models.appointments import (
    Appointment,
    DoctorSchedule,
    ScheduleException,
    ScheduleWeekday,
)
from app.models.attachment import AttachmentApplication, AttachmentFile
from app.models.audit import AuditEntry
from app.models.base import Base
from app.models.certificates import InformationFormRequest
from app.models.clinic import CalendarException, Clinic, District
from app.models.consent import Consent
from app.models.document import Document, DocumentCounter, SigningQueueEntry
from app.models.feedback import Complaint, SurveyResponse
from app.models.home_visits import HomeVisit
from app.models.kiosk import KioskDevice
from app.models.notify import SmsMessage
from app.models.otp import OneTimeCode, RateLimitHit
from app.models.patient import Patient
from app.models.registry import RegistryAttachment, RegistryPerson, RegistryRegisterEntry
from app.models.requests import RequestCounter, RequestEvent, ServiceRequest
from app.models.session import WebSession
from app.models.staff import StaffMember, StaffRole

__all__ = [
    "Appointment",
    "AttachmentApplication",
    "AttachmentFile",
    "AuditEntry",
    "Base",
    "CalendarException",
    "Clinic",
    "Complaint",
    "Consent",
    "District",
    "DoctorSchedule",
    "Document",
    "DocumentCounter",
    "HomeVisit",
    "InformationFormRequest",
    "KioskDevice",
    "OneTimeCode",
    "Patient",
    "RateLimitHit",
    "RegistryAttachment",
    "RegistryPerson",
    "RegistryRegisterEntry",
    "RequestCounter",
    "RequestEvent",
    "ScheduleException",
    "ScheduleWeekday",
    "ServiceRequest",
    "SigningQueueEntry",
    "SmsMessage",
    "StaffMember",
    "StaffRole",
    "SurveyResponse",
    "WebSession",
]
