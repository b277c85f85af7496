"""Who the patient on this browser is: an IIN confirmed by a one-time code, kept in the session.

Staff sign in with accounts (app.auth); patients prove an IIN with a code to the phone on file
(app.services.patient_identity), and the web layer remembers it here until PATIENT_SESSION_IDLE passes
without activity or the person signs out. Services never read this: views pass the IIN on explicitly.
The session is the server's (app/sessions.py): the IIN never travels in the cookie, and signing in or out
gives the browser a new session token, so a cookie copied before either opens nothing.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, session

from app import notify
from app.core.clock import now
from app.registries import RegistryUnavailable
from app.services import otp, patient_identity, patients, registry_pending
from app.sessions import mark_seen, renew

IIN_KEY = "patient_iin"
SEEN_KEY = "patient_seen_at"
ATTACHED_KEY = "patient_attached"  # {"iin", "at"}: when the registry last said "attached to this clinic"
# How long the booking chooser trusts the registry's last "attached" (issue 22, item 6: the check was 8% of
# the free-slot page, on every page). Only a yes is kept, never a no nor an outage; a booking itself always
# asks the registry afresh (appointments.book_appointment), so a patient detached meanwhile sees the chooser
# for at most these minutes but cannot book, and one attached meanwhile is never kept out.
ATTACHMENT_RECHECK_SECONDS = 300


def sign_in_patient(iin: str) -> None:
    renew(session)
    session.pop(ATTACHED_KEY, None)
    session[IIN_KEY] = iin
    session[SEEN_KEY] = now().timestamp()


def sign_out_patient() -> None:
    if IIN_KEY in session:
        renew(session)
    session.pop(IIN_KEY, None)
    session.pop(SEEN_KEY, None)
    session.pop(ATTACHED_KEY, None)


def attachment_state(patient) -> str:
    """The registry's answer about the signed-in `patient` for the booking chooser: "attached",
    "not_attached" or "unavailable". An "attached" is kept in the session for ATTACHMENT_RECHECK_SECONDS."""
    kept = session.get(ATTACHED_KEY) or {}
    moment = now().timestamp()
    try:
        fresh = (
            kept.get("iin") == patient.iin and 0 <= moment - float(kept["at"]) < ATTACHMENT_RECHECK_SECONDS
        )
    except (AttributeError, KeyError, TypeError, ValueError):
        fresh = False
    if fresh:
        return "attached"
    check = patients.check_attachment(patient)
    if check.is_attached:
        session[ATTACHED_KEY] = {"iin": patient.iin, "at": moment}
    else:
        forget_attachment()
    return check.state


def forget_attachment() -> None:
    """Ask the registry again next time (a booking was refused as not attached)."""
    if ATTACHED_KEY in session:
        session.pop(ATTACHED_KEY)


def current_patient_iin() -> str | None:
    iin = session.get(IIN_KEY)
    if not iin:
        return None
    idle = current_app.config["PATIENT_SESSION_IDLE"]
    idle_seconds = idle.total_seconds() if isinstance(idle, timedelta) else float(idle)
    moment = now().timestamp()
    if moment - float(session.get(SEEN_KEY) or 0) > idle_seconds:
        sign_out_patient()
        return None
    mark_seen(session, SEEN_KEY, moment, idle_seconds)  # at most once a minute: no write on every page
    return iin


@dataclass(frozen=True)
class CodeRequest:
    """The outcome of asking for a sign-in code: gone (as far as the person may know), or why it did not go.

    The page never says where the code went, nor whether the IIN has a phone on file or exists at all: the
    code step's text covers both ("if a number is on file..."), so the answer tells a stranger nothing."""

    error: str | None = None


def request_sign_in_code(iin: str, *, ip: str, language: str) -> CodeRequest:
    """Send a sign-in code to the phone on file for a valid IIN, turning every failure into a message.

    Shared by every patient-facing service, so a registry or SMS outage reads the same everywhere. An IIN
    that is unknown, or has no phone on file, is answered as a sent code is (same limits spent).
    """
    try:
        try:
            contact = patient_identity.contact_for(iin)
        except patient_identity.IdentityError:
            otp.spend_without_sending(iin=iin, origin=ip)
            return CodeRequest()
        patient_identity.send_sign_in_code(contact, ip=ip, language=language)
    except RegistryUnavailable:
        return CodeRequest(error=str(registry_pending.UNAVAILABLE_MESSAGE))
    except otp.TooManyRequests as limited:
        return CodeRequest(error=str(limited.message))
    except notify.SmsUnavailable:
        return CodeRequest(error=str(notify.SMS_UNAVAILABLE_MESSAGE))
    return CodeRequest()
