"""All models, imported here so Alembic and create_all see every table."""

from app.models.audit import AuditEntry
from app.models.base import Base
from app.models.clinic import CalendarException, Clinic, District
from app.models.document import Document
from app.models.patient import Patient
from app.models.requests import RequestCounter, RequestEvent, ServiceRequest
from app.models.staff import StaffMember, StaffRole

__all__ = [
    "AuditEntry",
    "Base",
    "CalendarException",
    "Clinic",
    "District",
    "Document",
    "Patient",
    "RequestCounter",
    "RequestEvent",
    "ServiceRequest",
    "StaffMember",
    "StaffRole",
]
