"""The printed documents of attachment (templates in app/templates/documents/): the talon of an approved
application and the reasoned refusal, each in the language of the application. Their kinds are registered
with app.services.documents in the package's __init__."""

from flask_babel import force_locale

from app.extensions import db
from app.models import AttachmentApplication, Clinic, District, Document, Patient
from app.services import documents
from app.services.attachment import texts
from app.services.attachment.queries import assess, district_doctors
from app.services.attachment.rules import GROUNDS, REFUSAL, TALON
from app.services.clinic import get_clinic


def issue_talon(application: AttachmentApplication, patient: Patient, district: District, clinic: Clinic):
    """The talon of attachment (the district, its doctors, the clinic); the caller links it to the request."""
    doctors = [doctor for doctor in district_doctors() if doctor.district_id == district.id]
    return documents.issue_document(
        TALON,
        "documents/attachment_talon.html",
        {
            "application": application,
            "request": application.request,
            "patient": patient,
            "district": district,
            "doctors": doctors,
            "clinic": clinic,
            "reason_label": texts.REASON_LABELS[application.reason],
        },
        subject=patient,
        language=application.request.language,
        valid_until=None,
    )


def issue_refusal(application: AttachmentApplication) -> Document:
    """The reasoned refusal naming the request's refusal ground, and what the checks found about it; it
    becomes the request's result document."""
    request = application.request
    clinic = get_clinic()
    with force_locale(request.language):  # the checks' own words, in the document's language
        detail = assess(application).details.get(request.refusal_ground, "")
    document = documents.issue_document(
        REFUSAL,
        "documents/attachment_refusal.html",
        {
            "application": application,
            "request": request,
            "clinic": clinic,
            "ground": GROUNDS[request.refusal_ground],
            "detail": detail,
            "full_name": request.subject.full_name if request.subject else "",
        },
        subject=request.subject,
        language=request.language,
        valid_until=None,
    )
    request.result_document_id = document.id
    db.session.flush()
    return document
