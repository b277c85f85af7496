"""The clinic's patient cards: finding one by IIN, making one from a national-registry record, and asking the
register of attached population whether a patient is attached here. Every service that meets a person comes
here, so a person never gets two cards and the attachment check reads the same everywhere."""

import logging
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.clock import now
from app.extensions import db
from app.models import District, Patient
from app.registries import Attachment, NotFound, Person, RegistryUnavailable, get_registry
from app.services.clinic import get_clinic

log = logging.getLogger(__name__)


class PatientUnknown(Exception):
    """The state database of individuals has nobody with this IIN. `message` is translatable."""

    code = "patient_unknown"

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def find_patient(iin: str) -> Patient | None:
    return db.session.scalars(select(Patient).where(Patient.iin == iin)).first()


def card_from_registry(person: Person, *, language: str = "kk", district: District | None = None) -> Patient:
    """The clinic card of a person the registry knows: the existing card, or a new one copied from the record.

    Every service that meets a person for the first time (a booking, an application, a form) comes here, so
    a person never gets two cards.
    """
    patient = find_patient(person.iin)
    if patient is not None:
        return patient
    patient = Patient(
        iin=person.iin,
        last_name=person.last_name,
        first_name=person.first_name,
        middle_name=person.middle_name,
        birth_date=person.birth_date,
        sex=person.sex,
        address=person.address,
        phone=person.phone,
        language=language,
        district=district,
        created_at=now(),
    )
    db.session.add(patient)
    db.session.flush()
    log.info("patient card %s created from the registry", patient.id)
    return patient


def card_for(iin: str) -> Patient:
    """The clinic's card for a person identified by IIN, created from the state database of individuals
    when the clinic has none yet (a person attached here who has never been seen in person).

    Raises PatientUnknown when the registry has nobody with this IIN, RegistryUnavailable when it cannot
    answer now.
    """
    patient = find_patient(iin)
    if patient is not None:
        return patient
    try:
        person = get_registry().find_person(iin)
    except NotFound:
        raise PatientUnknown(
            _l("No person with this IIN is found in the state database of individuals. Please check the IIN.")
        ) from None
    return card_from_registry(person, district=_district_of(_attachment_or_none(iin)))


def _attachment_or_none(iin: str) -> Attachment | None:
    try:
        return get_registry().attachment_of(iin)
    except (NotFound, RegistryUnavailable):
        return None


def _district_of(attachment: Attachment | None) -> District | None:
    clinic = get_clinic()
    if attachment is None or clinic is None or attachment.clinic_code != clinic.code:
        return None
    if attachment.district_number is None:
        return None
    return db.session.scalars(select(District).where(District.number == attachment.district_number)).first()


@dataclass(frozen=True)
class AttachmentCheck:
    """state: "attached" | "not_attached" | "unavailable"."""

    state: str
    attachment: Attachment | None = None

    @property
    def is_attached(self) -> bool:
        return self.state == "attached"


def check_attachment(patient: Patient) -> AttachmentCheck:
    """Ask the register of attached population whether the patient is attached to this clinic."""
    try:
        attachment = get_registry().attachment_of(patient.iin)
    except NotFound:
        return AttachmentCheck("not_attached")
    except RegistryUnavailable as error:
        log.warning("attachment check for patient %s: registry unavailable (%s)", patient.id, error.reason)
        return AttachmentCheck("unavailable")
    clinic = get_clinic()
    here = bool(clinic and clinic.code and attachment.clinic_code == clinic.code)
    if here and patient.district_id is None and patient.district is None:
        district = _district_of(attachment)
        if district is not None:
            patient.district = district
    return AttachmentCheck("attached" if here else "not_attached", attachment)
