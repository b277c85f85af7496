"""Factories for the status, survey, complaint and monitoring tests."""

import hashlib
import re
import secrets
from datetime import date

from sqlalchemy import select

from app.core.actors import Actor
from app.core.clock import now
from app.core.iin import make_iin
from app.extensions import db
from app.models import Document, Patient, SmsMessage
from app.services import requests as request_service

CODE = re.compile(r"\b(\d{6})\b")
NUMBER = re.compile(r"[A-Z]{2}-\d{4}-\d{6}")  # request and complaint numbers, which end in six digits too


def make_patient(serial: int = 1, *, phone: str = "+77011234567", language: str = "kk") -> Patient:
    birth = date(1985, 4, 1 + serial % 27)
    patient = Patient(
        iin=make_iin(birth, "F", serial=serial),
        last_name="Ахметова",
        first_name="Әсел",
        middle_name="Серікқызы",
        birth_date=birth,
        sex="F",
        phone=phone,
        language=language,
        created_at=now(),
    )
    db.session.add(patient)
    db.session.commit()
    return patient


def make_request(patient: Patient | None, service: str = "tb-certificate", *, channel: str = "web"):
    request = request_service.create_request(
        service, channel=channel, actor=Actor.patient(), subject=patient, language="kk"
    )
    db.session.commit()
    return request


def attach_result(request) -> Document:
    """A stored result document, as a service's issue_document would leave it."""
    pdf = b"%PDF-1.4 result of " + request.number.encode()
    document = Document(
        kind="test_result",
        number=f"TR-2026-{request.id:06d}",
        issued_at=now(),
        language="kk",
        sha256=hashlib.sha256(pdf).hexdigest(),
        pdf=pdf,
        verification_code=secrets.token_urlsafe(24),
        subject_id=request.subject_id,
        revocation_reason="",
    )
    db.session.add(document)
    db.session.flush()
    request.result_document_id = document.id
    db.session.commit()
    return document


def last_code(phone: str) -> str:
    """The code in the newest SMS to `phone` (the embedded SMS backend keeps it in the outbox)."""
    message = db.session.scalars(
        select(SmsMessage).where(SmsMessage.phone == phone).order_by(SmsMessage.id.desc())
    ).first()
    assert message is not None, f"no SMS to {phone}"
    return CODE.search(NUMBER.sub("", message.text)).group(1)
