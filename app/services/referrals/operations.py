"""Every change of a hospitalization referral: the specialist's review (sent to the Bureau, or a medical
decision with its reason), the queue of packages the Bureau could not take, the Bureau's answer (asked of the
gateway, or typed in from the portal), the SMS that the date is known, the hand-over. Each writes its request
events and the staff member's audit entry."""

import logging
from datetime import date

from app.core.actors import Actor
from app.core.clock import local_now, now
from app.extensions import db
from app.models import Document, HospitalReferral, Patient
from app.registries import hospitalization as bureau
from app.services import audit, documents, sms
from app.services.clinic import get_clinic
from app.services.referrals.queries import examination_rows
from app.services.referrals.rules import (
    SERVICE,
    TALON_KIND,
    ChangeNotAllowed,
    InvalidReferral,
    Package,
    bureau_due,
    check_answer,
    check_package,
    check_reason,
)
from app.services.referrals.texts import EXAMINATION_LABELS, NOT_OPEN_MESSAGE, PROFILE_LABELS, sms_dated
from app.services.requests import create_request, record_step, transition

log = logging.getLogger(__name__)

DECISION_STEPS = {"not_indicated": "not_indicated", "incomplete": "examinations_incomplete"}


def _audit(actor: Actor, action: str, referral: HospitalReferral, detail: str = "") -> None:
    audit.audit(
        actor,
        action,
        "hospital_referral",
        object_id=referral.number,
        patient_id=referral.patient_id,
        detail=detail,
    )


def _new_referral(patient: Patient, package: Package, *, actor: Actor, status: str) -> HospitalReferral:
    request = create_request(SERVICE, channel="desk", actor=actor, subject=patient, language=patient.language)
    referral = HospitalReferral(
        request=request,
        patient=patient,
        status=status,
        profile=package.profile,
        preferred_hospital=package.preferred_hospital,
        diagnosis_code=package.diagnosis_code,
        diagnosis_title=package.diagnosis_title[:300],
        examinations={code: day.isoformat() for code, day in package.examinations.items() if day},
        reviewed_at=now(),
        specialist=actor.staff,
    )
    db.session.add(referral)
    db.session.flush()
    transition(request, "in_review", actor=actor, step="package_reviewed", note=package.profile)
    _audit(actor, "create", referral, f"profile {package.profile}")
    return referral


def review_and_send(patient: Patient, package: Package, *, actor: Actor) -> HospitalReferral:
    """The specialist reviewed a complete package: the referral is saved and sent to the Bureau. Raises
    InvalidReferral (nothing saved) for a missing, out-of-date or future examination. When the Bureau cannot
    be reached the referral waits in the queue ("queued") with everything entered."""
    check_package(package, local_now().date(), complete=True)
    referral = _new_referral(patient, package, actor=actor, status="queued")
    send(referral, actor=actor)
    return referral


def record_decision(
    patient: Patient, package: Package, decision: str, reason: str, *, actor: Actor
) -> HospitalReferral:
    """A medical decision, not a refusal: hospitalization not indicated, or the examinations incomplete. The
    request is completed with the decision and its reason."""
    if decision not in DECISION_STEPS:
        raise InvalidReferral(NOT_OPEN_MESSAGE, field="decision")
    reason = check_reason(reason)
    check_package(package, local_now().date(), complete=False)
    referral = _new_referral(patient, package, actor=actor, status=decision)
    referral.decision_reason = reason
    transition(referral.request, "completed", actor=actor, step=DECISION_STEPS[decision], note=reason)
    return referral


def _package_of(referral: HospitalReferral) -> bureau.ReferralPackage:
    clinic = get_clinic()
    patient = referral.patient
    return bureau.ReferralPackage(
        referral_number=referral.number,
        iin=patient.iin,
        full_name=patient.full_name,
        birth_date=patient.birth_date,
        diagnosis_code=referral.diagnosis_code,
        profile=referral.profile,
        preferred_hospital=referral.preferred_hospital,
        clinic_code=clinic.code if clinic else "",
    )


def send(referral: HospitalReferral, *, actor: Actor) -> bool:
    """Send (or send again) a queued referral to the Bureau; True when the Bureau took it. An outage leaves it
    queued, noted in its history and the log; nothing is lost."""
    if referral.status != "queued":
        raise ChangeNotAllowed(NOT_OPEN_MESSAGE)
    try:
        receipt = bureau.get_bureau().submit(_package_of(referral))
    except (bureau.BureauUnavailable, bureau.BureauRejected) as error:
        reason = getattr(error, "reason", "rejected")
        log.warning("referral %s: the Bureau did not take it (%s)", referral.number, reason)
        referral.last_error = reason[:60]
        record_step(referral.request, "bureau_unavailable", actor=Actor.system(), note=reason)
        return False
    moment = now()
    referral.status = "at_bureau"
    referral.bureau_ticket = receipt.ticket[:60]
    referral.sent_at = moment
    referral.bureau_due_at = bureau_due(moment)
    referral.last_error = ""
    record_step(referral.request, "sent_to_bureau", actor=actor, note=receipt.ticket)
    _audit(actor, "update", referral, f"sent to the Bureau: {receipt.ticket}")
    return True


def retry_queue(*, actor: Actor, referrals: list[HospitalReferral]) -> tuple[int, int]:
    """Send the queued referrals again: (taken, still waiting)."""
    taken = sum(1 for referral in referrals if send(referral, actor=actor))
    return taken, len(referrals) - taken


def ask_bureau(referral: HospitalReferral, *, actor: Actor) -> bool:
    """Ask the Bureau (a gateway that answers by itself) whether it gave the date; True when it did.
    BureauUnavailable reaches the caller: the page says so and the referral stays as it is."""
    if referral.status != "at_bureau":
        raise ChangeNotAllowed(NOT_OPEN_MESSAGE)
    answer = bureau.get_bureau().answer(referral.bureau_ticket)
    if answer is None:
        return False
    _dated(referral, answer.referral_code, answer.hospital, answer.hospitalization_date, actor=actor)
    return True


def record_answer(
    referral: HospitalReferral, code: str, hospital: str, day: date | None, *, actor: Actor
) -> HospitalReferral:
    """The specialist types the Bureau's answer from the portal: its code, the hospital, the date (not in the
    past). Raises InvalidReferral (nothing changed)."""
    if referral.status not in ("at_bureau", "dated"):
        raise ChangeNotAllowed(NOT_OPEN_MESSAGE)
    code, hospital, day = check_answer(code, hospital, day, local_now().date())
    _dated(referral, code, hospital, day, actor=actor)
    return referral


def _dated(referral: HospitalReferral, code: str, hospital: str, day: date, *, actor: Actor) -> None:
    referral.status = "dated"
    referral.bureau_code = code
    referral.hospital = hospital
    referral.hospitalization_date = day
    referral.dated_at = now()
    record_step(referral.request, "bureau_dated", actor=actor, note=f"{code}; {hospital}; {day.isoformat()}")
    _audit(actor, "update", referral, f"Bureau date {day.isoformat()}, code {code}")
    language = referral.patient.language or "kk"
    sms.send_about(
        referral.request,
        "dated",
        phone=referral.patient.phone,
        language=language,
        render=lambda: sms_dated(referral, language),
        purpose="hospital_referral_dated",
    )


def hand_over(referral: HospitalReferral, *, actor: Actor) -> HospitalReferral:
    """The specialist stamps the talon and hands it to the patient: the request is completed."""
    if referral.status != "dated":
        raise ChangeNotAllowed(NOT_OPEN_MESSAGE)
    referral.status = "handed_over"
    referral.handed_at = now()
    transition(referral.request, "completed", actor=actor, step="handed_over")
    _audit(actor, "update", referral, "stamped and handed over")
    return referral


def print_talon(referral: HospitalReferral, *, actor: Actor, language: str) -> Document:
    """The hospitalization talon (cover sheet of form 001-3/у) with the Bureau's code and date in `language`:
    an issued document (numbered, signed with the clinic's key, checked by its QR code), issued at its first
    print and served as issued while its content stays the same; audited as printed."""
    audit.audit(
        actor, "print", "hospital_referral", object_id=referral.number, patient_id=referral.patient_id
    )
    return documents.issue_once(
        TALON_KIND,
        "documents/referral_talon.html",
        {
            "referral": referral,
            "patient": referral.patient,
            "rows": examination_rows(referral),
            "printed_by": actor.label,
            "profile_labels": PROFILE_LABELS,
            "examination_labels": EXAMINATION_LABELS,
        },
        scope=referral.number,
        subject=referral.patient,
        language=language,
    )
