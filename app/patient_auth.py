"""Who the patient on this browser is: an IIN confirmed by a one-time code, kept in the session.

Staff sign in with accounts (app.auth); patients prove an IIN with a code to the phone on file
(app.services.patient_identity), and the web layer remembers it here until PATIENT_SESSION_IDLE passes
without activity or the person signs out. Services never read this: views pass the IIN on explicitly.
"""

from datetime import timedelta

from flask import current_app, session

from app.services.clock import now

IIN_KEY = "patient_iin"
SEEN_KEY = "patient_seen_at"


def sign_in_patient(iin: str) -> None:
    session[IIN_KEY] = iin
    session[SEEN_KEY] = now().timestamp()


def sign_out_patient() -> None:
    session.pop(IIN_KEY, None)
    session.pop(SEEN_KEY, None)


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
    session[SEEN_KEY] = moment
    return iin
