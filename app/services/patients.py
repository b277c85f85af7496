"""The clinic's patient cards: finding one by IIN, and making one from a national-registry record."""

import logging

from sqlalchemy import select

from app.extensions import db
from app.models import District, Patient
from app.registries import Person
from app.services.clock import now

log = logging.getLogger(__name__)


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
