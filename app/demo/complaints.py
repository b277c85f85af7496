"""Demo data for monitoring, the survey and complaints: a month of finished requests with realistic step
timings, survey answers, and three complaints (answered, open, overdue).

The history uses only services that have no table of their own yet (certificates from the PHC organisation,
sick-leave papers, extracts, referrals, training documents), so no other service's pages meet a request
without its row. Idempotent: nothing is added when the marker note is already in the event log.
"""

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.core.actors import Actor
from app.core.clock import ALMATY, frozen_clock, local_now
from app.extensions import db
from app.models import Complaint, Patient, RequestEvent, ServiceRequest
from app.services import complaints, survey
from app.services import requests as request_service
from app.services.calendar import get_calendar

DEMO_NOTE = "demo history"
HISTORY_DAYS = 21

# Only services no one serves online yet: a service with its own table (appointments, home calls,
# attachment, information forms) lists its requests and expects that table's row next to each of them.
# service, channel, steps after "submitted" as (step, typical seconds), share refused, refusal ground.
PROFILES = (
    (
        "phc-certificate",
        "desk",
        (("identity_document_checked", 60), ("registry_checked", 90), ("completed", 1100)),
        0,
        None,
    ),
    (
        "sick-leave-certificate",
        "desk",
        (("identity_document_checked", 60), ("in_review", 900), ("completed", 500)),
        0,
        None,
    ),
    (
        "sick-leave-sheet",
        "desk",
        (("identity_document_checked", 60), ("in_review", 900), ("completed", 400)),
        0,
        None,
    ),
    ("inpatient-extract", "desk", (("in_review", 1500), ("completed", 1800)), 0, None),
    (
        "hospitalization-referral",
        "desk",
        (("registry_checked", 600), ("in_review", 4 * 3600), ("completed", 900)),
        0,
        None,
    ),
    (
        "training-documents",
        "desk",
        (("in_review", 3 * 86400), ("completed", 86400)),
        0.25,
        "debt_to_provider",
    ),
)
RATINGS = ("satisfied", "satisfied", "satisfied", "partly_satisfied", "not_satisfied")


def seed_feedback_demo() -> int:
    """Add the demo history once; returns how many requests were added (0 when already there)."""
    if db.session.scalar(select(RequestEvent.id).where(RequestEvent.note == DEMO_NOTE).limit(1)) is not None:
        return 0
    patients = list(db.session.scalars(select(Patient).order_by(Patient.id).limit(30)))
    if not patients:
        return 0
    rng = random.Random(2026)
    calendar = get_calendar()
    today = local_now().date()
    added = 0
    for days_ago in range(HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=days_ago)
        hours = calendar.hours_on(day)
        if hours is None:
            continue
        for _ in range(rng.randint(1, 3)):
            service, channel, steps, refused_share, ground = rng.choice(PROFILES)
            if channel in ("desk", "phone"):
                received = hours[0] + timedelta(
                    minutes=rng.randint(0, int((hours[1] - hours[0]).seconds / 60) - 60)
                )
            else:
                received = datetime.combine(day, time(rng.randint(7, 22), rng.randint(0, 59)), ALMATY)
            _replay(service, channel, received, steps, rng, rng.random() < refused_share, ground, patients)
            added += 1
    _seed_survey(rng)
    _seed_complaints(patients)
    _seed_overdue(patients, today)
    db.session.flush()
    return added


def _replay(service, channel, received, steps, rng, refused, ground, patients) -> None:
    with frozen_clock(received):
        request = request_service.create_request(
            service, channel=channel, actor=Actor.system(), subject=rng.choice(patients), note=DEMO_NOTE
        )
    moment = received
    for index, (step, seconds) in enumerate(steps):
        # Log-normal spread around the typical time; one request in ten is much slower.
        moment += timedelta(seconds=seconds * rng.lognormvariate(0, 0.5) * (4 if rng.random() < 0.1 else 1))
        with frozen_clock(moment):
            if refused and index == len(steps) - 1:
                request_service.refuse(request, ground, actor=Actor.system())
            elif step in ("completed", "in_review"):
                request_service.transition(request, step, actor=Actor.system())
            else:
                request_service.record_step(request, step, actor=Actor.system())


def _seed_survey(rng) -> None:
    completed = db.session.scalars(select(ServiceRequest).where(ServiceRequest.status == "completed"))
    for request in completed:
        if rng.random() < 0.5 and survey.is_offered(request):
            with frozen_clock(request.completed_at + timedelta(minutes=rng.randint(1, 90))):
                survey.record_answer(request, process=rng.choice(RATINGS), information=rng.choice(RATINGS))


def _seed_complaints(patients) -> None:
    if db.session.scalar(select(Complaint.id).limit(1)) is not None:
        return
    today = local_now()
    texts = (
        (25, "Тіркеу бөлімінде кезек ұзақ болды, телефонға ешкім жауап бермеді.", None),
        (9, "Дәрігерді үйге шақырдым, бірақ ол келісілген уақыттан үш сағат кешікті.", None),
        (
            6,
            "Анықтаманы алу үшін екі рет келуге тура келді.",
            "Шағымыңыз қаралды. Тіркеу бөлімінің қызметкерлеріне анықтама беру тәртібі қайта түсіндірілді. "
            "Қолайсыздық үшін кешірім сұраймыз.",
        ),
    )
    for (days_ago, text, answer), patient in zip(texts, patients, strict=False):
        with frozen_clock(today - timedelta(days=days_ago)):
            complaint = complaints.file_complaint(
                complaints.ComplaintInput(
                    complainant_name=patient.full_name,
                    iin=patient.iin,
                    postal_address=patient.address or "Алматы қ.",
                    phone=patient.phone or "+77010000000",
                    text=text,
                ),
                channel="web",
                actor=Actor.applicant(),
                language=patient.language,
            )
        if answer and complaint.assigned_to is not None:
            with frozen_clock(today - timedelta(days=days_ago - 3)):
                complaints.answer(complaint, answer, actor=Actor.of_staff(complaint.assigned_to))


def _seed_overdue(patients, today) -> None:
    received = datetime.combine(today - timedelta(days=3), time(10, 0), ALMATY)
    with frozen_clock(received):
        request = request_service.create_request(
            "phc-certificate", channel="desk", actor=Actor.system(), subject=patients[-1], note=DEMO_NOTE
        )
    with frozen_clock(received + timedelta(minutes=4)):
        request_service.transition(request, "in_review", actor=Actor.system())
