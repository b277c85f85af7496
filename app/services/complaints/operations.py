"""Changing complaints: filing one (web, kiosk or desk), the head's draft, and the written answer. Each
writes its request events (the kernel's transitions, the SMS steps) and, when staff act, its audit entry."""

import logging
from dataclasses import replace

from sqlalchemy import select

from app.core.actors import Actor
from app.extensions import db
from app.models import Complaint, Patient
from app.models.requests import CHANNELS
from app.services import documents, rate_limit, sms
from app.services import requests as request_service
from app.services.audit import audit
from app.services.complaints import texts
from app.services.complaints.queries import head_on_duty
from app.services.complaints.rules import (
    COMPLAINT_WINDOW,
    COMPLAINTS_PER_IIN,
    COMPLAINTS_PER_IP,
    REPLY_TEMPLATE,
    SERVICE,
    ComplaintError,
    ComplaintInput,
    checked_input,
    checked_text,
)

log = logging.getLogger(__name__)

# The written answer (regulation 004, item 12), issued by the document engine: numbered, stored, verifiable.
REPLY_KIND = documents.register_kind("complaint_reply", "CMR", texts.REPLY_TITLE)


def file_complaint(
    data: ComplaintInput,
    *,
    channel: str,
    actor: Actor,
    language: str = "kk",
    ip: str = "",
    proven_iin: str | None = None,
) -> Complaint:
    """Register a complaint: a request numbered CM-2026-000001 due within 5 working days (Monday to Friday,
    less public holidays), assigned to the head on duty.

    The complainant gets an SMS with the number and the deadline. `ip` limits how many complaints one
    address may send (web and kiosk; the desk passes none). A complaint taken at the desk is audited.

    Whose card it is on: at the desk, the IIN in it (the registrar has seen the identity document); on the
    web and the kiosk, only `proven_iin`, the IIN the complainant proved with a one-time code, which is then
    the IIN of the complaint. A complaint from someone who did not sign in is taken as a letter is, with the
    IIN it names, but on nobody's card: a typed IIN never puts a complaint on someone's card (issue 13). Its
    hourly limit counts the proven IIN, or else the phone the SMS goes to, never a typed IIN that a stranger
    could spend for its owner.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if actor.staff is None and proven_iin:
        data = replace(data, iin=proven_iin)
    data = checked_input(data)
    card_iin = data.iin if actor.staff is not None else proven_iin
    related = None
    if data.related_number:
        related = request_service.find_by_number(data.related_number)
        if related is None or related.service == SERVICE:  # a complaint is about a request, not a complaint
            raise ComplaintError("related_number", texts.NO_SUCH_REQUEST)
    try:
        rate_limit.check_and_count(
            rate_limit.origin_limit("complaint:ip", ip, COMPLAINTS_PER_IP, COMPLAINT_WINDOW),
            rate_limit.Limit(
                "complaint:person", card_iin or f"phone:{data.phone}", COMPLAINTS_PER_IIN, COMPLAINT_WINDOW
            ),
        )
    except rate_limit.RateLimited as error:
        raise ComplaintError(None, texts.TOO_MANY) from error

    request = request_service.create_request(
        SERVICE,
        channel=channel,
        actor=actor,
        subject=db.session.scalars(select(Patient).where(Patient.iin == card_iin)).first()
        if card_iin
        else None,
        language=language if language in ("kk", "ru") else "kk",
        flush=False,
    )
    complaint = Complaint(
        request=request,
        complainant_name=data.complainant_name,
        iin=data.iin,
        postal_address=data.postal_address,
        phone=data.phone,
        text=data.text,
        related_request=related,
        assigned_to=head_on_duty(),
    )
    db.session.add(complaint)
    db.session.flush()
    log.info("complaint %s registered via %s", request.number, channel)
    sms.send_about(
        request,
        "registered",
        phone=complaint.phone,
        language=request.language,
        render=lambda: texts.registered_sms(request.number, request.deadline_at),
        purpose=f"complaint_registered:{request.number}",
    )
    if actor.staff is not None:
        audit(actor, "create", "complaint", object_id=request.number, patient_id=request.subject_id)
    return complaint


def save_draft(complaint: Complaint, answer_text: str, *, actor: Actor) -> None:
    """Keep the head's draft; the complainant sees the complaint as being reviewed."""
    _check_can_answer(complaint)
    complaint.answer_text = answer_text.strip()
    if complaint.request.status != "in_review":
        request_service.transition(complaint.request, "in_review", actor=actor)
    if complaint.assigned_to_id is None and actor.staff is not None:
        complaint.assigned_to = actor.staff
    db.session.flush()
    _audit_update(complaint, actor, "draft saved")


def answer(complaint: Complaint, answer_text: str, *, actor: Actor) -> Complaint:
    """Give the written, reasoned answer: the request is completed, its result the reply letter (a stored
    PDF) in the complainant's language, and the complainant is told by SMS."""
    _check_can_answer(complaint)
    complaint.answer_text = checked_text("answer_text", answer_text, texts.WRITE_THE_ANSWER)
    complaint.answered_by = actor.staff
    request = complaint.request
    request_service.transition(request, "completed", actor=actor)
    request.result_document = documents.issue_document(
        REPLY_KIND.code,
        REPLY_TEMPLATE,
        {"complaint": complaint, "terms": texts.terms(complaint.deadline_at)},
        subject=request.subject,
        language=request.language,
        valid_until=None,
        flush=False,
    )
    db.session.flush()
    log.info("complaint %s answered", request.number)
    sms.send_about(
        request,
        "answered",
        phone=complaint.phone,
        language=request.language,
        render=lambda: texts.answered_sms(request.number),
        purpose=f"complaint_answered:{request.number}",
    )
    _audit_update(complaint, actor, "answered")
    return complaint


def _check_can_answer(complaint: Complaint) -> None:
    if not complaint.is_open:
        raise ComplaintError(None, texts.ALREADY_ANSWERED)


def _audit_update(complaint: Complaint, actor: Actor, detail: str) -> None:
    if actor.staff is not None:
        audit(
            actor,
            "update",
            "complaint",
            object_id=complaint.number,
            patient_id=complaint.patient_id,
            detail=detail,
        )
