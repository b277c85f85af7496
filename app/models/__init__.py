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
from app.models.hiv_testing import HivIdentity, HivSettings, HivTest
from app.models.home_visits import HomeVisit
from app.models.kiosk import KioskDevice
from app.models.notify import SmsMessage
from app.models.otp import OneTimeCode, RateLimitHit
from app.models.patient import Patient
from app.models.referrals import HospitalReferral
from app.models.registry import RegistryAttachment, RegistryPerson, RegistryRegisterEntry
from app.models.request_stage import RequestStage
from app.models.requests import RequestCounter, RequestEvent, ServiceRequest
from app.models.session import WebSession
from app.models.shared_state import SharedState, StoredFile
from app.models.sick_leave import SickLeave, SickLeavePeriod, SickLeaveSettings
from app.models.signed_documents import InpatientExtract, PhcCertificate
from app.models.signoff import ClinicModule, Signature, Signoff
from app.models.staff import StaffMember, StaffRole
from app.models.training import (
    CommissionDecision,
    Trainee,
    TrainingCohort,
    TrainingCourse,
    TrainingDocument,
    TrainingSettings,
)
from app.models.urgent_care import UrgentCall

__all__ = [
    "Appointment",
    "AttachmentApplication",
    "AttachmentFile",
    "AuditEntry",
    "Base",
    "CalendarException",
    "ClinicModule",
    "Clinic",
    "Complaint",
    "Consent",
    "District",
    "DoctorSchedule",
    "Document",
    "DocumentCounter",
    "HivIdentity",
    "HivSettings",
    "HivTest",
    "HomeVisit",
    "HospitalReferral",
    "InpatientExtract",
    "InformationFormRequest",
    "KioskDevice",
    "OneTimeCode",
    "Patient",
    "PhcCertificate",
    "RateLimitHit",
    "RegistryAttachment",
    "RegistryPerson",
    "RegistryRegisterEntry",
    "RequestCounter",
    "RequestEvent",
    "RequestStage",
    "ScheduleException",
    "ScheduleWeekday",
    "ServiceRequest",
    "Signature",
    "Signoff",
    "SigningQueueEntry",
    "SmsMessage",
    "StaffMember",
    "StaffRole",
    "SurveyResponse",
    "UrgentCall",
    "WebSession",
    "SharedState",
    "StoredFile",
    "CommissionDecision",
    "Trainee",
    "TrainingCohort",
    "TrainingCourse",
    "TrainingDocument",
    "TrainingSettings",
    "SickLeave",
    "SickLeavePeriod",
    "SickLeaveSettings",
]
