"""Identifying a person by IIN and a one-time code to the phone on file (web and kiosk channels).

The phone on file is the clinic card's number when the card has one, otherwise the number the state
database of individuals holds. The SMS goes out in the card's language, or in the visitor's language for
people the clinic has no card for.

    contact = contact_for(iin)                        # NoPhoneOnFile / UnknownPerson / RegistryUnavailable
    send_sign_in_code(contact, ip=ip, language=lang)  # otp.TooManyRequests / notify.SmsUnavailable
    confirm_sign_in(iin, typed_code)                  # otp.OtpError subclasses
"""

from dataclasses import dataclass

from flask_babel import gettext as _

from app.models import OneTimeCode, Patient
from app.registries import NotFound, Person, get_registry
from app.services import otp
from app.services.patients import find_patient

SIGN_IN_PURPOSE = "login"


class IdentityError(Exception):
    @property
    def message(self) -> str:
        raise NotImplementedError


class UnknownPerson(IdentityError):
    @property
    def message(self) -> str:
        return _(
            "No person with this IIN is found in the state database of individuals. Please check the IIN."
        )


class NoPhoneOnFile(IdentityError):
    @property
    def message(self) -> str:
        return _(
            "There is no mobile phone number on file for this IIN, so we cannot send a one-time code. "
            "Please apply at the clinic's registry desk with an identity document."
        )


@dataclass(frozen=True)
class Contact:
    iin: str
    phone: str
    language: str | None  # the card's language; None when the clinic has no card for the person
    patient: Patient | None
    person: Person | None  # the registry's record, when it had to be asked

    def sms_language(self, fallback: str) -> str:
        return self.language or fallback


def contact_for(iin: str) -> Contact:
    """Where to send a code for `iin`. Raises UnknownPerson, NoPhoneOnFile, or RegistryUnavailable when the
    clinic has no number and the registry cannot be asked now."""
    patient = find_patient(iin)
    if patient is not None and patient.phone:
        return Contact(iin, patient.phone, patient.language, patient, None)
    try:
        person = get_registry().find_person(iin)
    except NotFound:
        if patient is not None:
            raise NoPhoneOnFile(iin) from None
        raise UnknownPerson(iin) from None
    if not person.phone:
        raise NoPhoneOnFile(iin)
    return Contact(iin, person.phone, patient.language if patient else None, patient, person)


def send_sign_in_code(contact: Contact, *, ip: str, language: str) -> OneTimeCode:
    return otp.issue(
        purpose=SIGN_IN_PURPOSE,
        iin=contact.iin,
        phone=contact.phone,
        language=contact.sms_language(language),
        ip=ip,
    )


def confirm_sign_in(iin: str, code: str) -> OneTimeCode:
    return otp.verify(purpose=SIGN_IN_PURPOSE, iin=iin, code=code)
