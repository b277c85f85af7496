"""Issue 22: the timings the database computes (app.services.monitoring_sql) equal, to the microsecond, the
ones the previous Python computation gave from every event of the period, on a varied history: many services,
logs of 1 to 6 events, equal times (ordered by id), microseconds, durations from 0 to weeks, requests outside
the period, a slug no longer in the catalogue, sign-offs with and without deadlines and send-backs; the events
written in a random order, some with a time before their request's last one (request_stage, which the report
reads, is kept by the database as they arrive)."""

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from app.core.clock import ALMATY
from app.extensions import db
from app.models import RequestEvent, ServiceRequest, Signature, Signoff
from app.services import catalogue, monitoring

PERIOD = monitoring.Period(date(2026, 3, 1), date(2026, 5, 31))
STEPS = ("submitted", "registry_checked", "in_review", "completed", "refused", "booking_cancelled")


def _varied_history(rng: random.Random) -> None:
    slugs = [service.slug for service in catalogue.all_services()] + ["retired-service"]
    base = datetime(2026, 2, 20, 3, 0, tzinfo=UTC)
    requests, events, signoffs, signatures = [], [], [], []
    event_id = signature_id = 0
    for request_id in range(1, 401):
        created_at = base + timedelta(days=rng.randint(0, 110), seconds=rng.randint(0, 86399))
        created_at += timedelta(microseconds=rng.choice((0, 1, 999999, rng.randint(0, 999999))))
        slug = slugs[request_id % len(slugs)]
        requests.append(
            {
                "id": request_id,
                "number": f"ZZ-2026-{request_id:06d}",
                "service": slug,
                "channel": "web",
                "status": "completed",
                "created_at": created_at,
            }
        )
        moment = created_at
        for index in range(rng.randint(1, 6)):
            if index:
                moment += rng.choice(
                    (
                        timedelta(0),  # the same moment: ordered by id
                        timedelta(microseconds=rng.randint(1, 999)),
                        timedelta(seconds=rng.randint(1, 3600), microseconds=rng.randint(0, 999999)),
                        timedelta(days=rng.randint(1, 20), seconds=rng.randint(0, 86399)),
                        -timedelta(minutes=rng.randint(1, 600)),  # written later, happened earlier
                    )
                )
            event_id += 1
            step = "submitted" if index == 0 else rng.choice(STEPS[1:])
            events.append(
                {"id": event_id, "request_id": request_id, "at": moment, "step": step, "channel": "web"}
            )
        if request_id % 3 == 0:
            signoffs.append({"id": request_id, "request_id": request_id, "step_started_at": created_at})
            started = created_at
            for position in range(rng.randint(1, 3)):
                waited = timedelta(minutes=rng.randint(0, 3000), microseconds=rng.randint(0, 999999))
                signed = started + waited
                signature_id += 1
                signatures.append(
                    {
                        "id": signature_id,
                        "signoff_id": request_id,
                        "position": position,
                        "step": f"step_{position}",
                        "action": rng.choice(("signed", "signed", "sent_back")),
                        "role": "head",
                        "staff_name": "Test",
                        "started_at": started,
                        "due_at": rng.choice((None, started + timedelta(hours=rng.randint(1, 48)))),
                        "at": signed,
                    }
                )
                started = signed
    db.session.execute(insert(ServiceRequest), requests)
    rng.shuffle(events)  # the events arrive in any order: request_stage is kept by the database as they do
    for start in range(0, len(events), 97):
        db.session.execute(insert(RequestEvent), events[start : start + 97])
    db.session.execute(insert(Signoff), signoffs)
    db.session.execute(insert(Signature), signatures)
    db.session.commit()


def _python_stages(conditions) -> dict:
    """The previous computation (monitoring._stage_timings before issue 22): every event into Python."""
    rows = db.session.execute(
        select(ServiceRequest.service, RequestEvent.request_id, RequestEvent.step, RequestEvent.at)
        .join(ServiceRequest, ServiceRequest.id == RequestEvent.request_id)
        .where(*conditions)
        .order_by(RequestEvent.request_id, RequestEvent.at, RequestEvent.id)
    ).all()
    durations, first_position = defaultdict(list), {}
    previous, position = None, 0
    for slug, request_id, step, moment in rows:
        if previous is not None and previous[1] == request_id:
            key = (slug, f"{previous[2]} -> {step}")
            durations[key].append((moment - previous[3]).total_seconds())
            first_position[key] = min(first_position.get(key, position), position)
            position += 1
        else:
            position = 0
        previous = (slug, request_id, step, moment)
    known = {service.slug: service for service in catalogue.all_services()}
    found = [
        (key, len(values), monitoring.percentile(values, 0.5), monitoring.percentile(values, 0.95))
        for key, values in durations.items()
        if key[0] in known
    ]
    found.sort(key=lambda item: (known[item[0][0]].number, first_position[item[0]], item[0][1]))
    return found


def _python_signoff_steps(conditions) -> list:
    rows = db.session.execute(
        select(ServiceRequest.service, Signature.step, Signature.position, Signature.started_at, Signature.at)
        .add_columns(Signature.due_at)
        .join(Signoff, Signoff.id == Signature.signoff_id)
        .join(ServiceRequest, ServiceRequest.id == Signoff.request_id)
        .where(*conditions, Signature.action == "signed")
    ).all()
    durations, in_time = defaultdict(list), defaultdict(int)
    for slug, step, position, started_at, moment, due_at in rows:
        durations[(slug, position, step)].append((moment - started_at).total_seconds())
        if due_at is None or moment <= due_at:
            in_time[(slug, position, step)] += 1
    known = {service.slug: service for service in catalogue.all_services()}
    found = [
        ((slug, step), len(values), monitoring.percentile(values, 0.5), monitoring.percentile(values, 0.95))
        + (in_time[(slug, position, step)],)
        for (slug, position, step), values in sorted(durations.items())
        if slug in known
    ]
    found.sort(key=lambda item: known[item[0][0]].number)
    return found


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("service_slug", [None, "appointment"])
def test_database_timings_equal_the_python_computation(app, seed, service_slug):
    _varied_history(random.Random(seed))
    conditions = [ServiceRequest.created_at >= PERIOD.start_at, ServiceRequest.created_at < PERIOD.end_at]
    if service_slug:
        conditions.append(ServiceRequest.service == service_slug)

    report = monitoring.build_report(PERIOD, service_slug)

    got = [
        ((timing.service.slug, timing.stage), timing.count, timing.median_seconds, timing.p95_seconds)
        for timing in report.stages
    ]
    expected = _python_stages(conditions)
    assert len(expected) > (5 if service_slug else 40)  # a varied history: many stages, large and small
    assert got == expected  # the same stages, in the same order, with exactly the same figures
    got_steps = [
        ((timing.service.slug, timing.step), timing.count, timing.median_seconds, timing.p95_seconds)
        + (timing.in_time,)
        for timing in report.signoff_steps
    ]
    expected_steps = _python_signoff_steps(conditions)
    assert got_steps == expected_steps
    assert service_slug or len(expected_steps) > 10


def test_a_period_without_requests_has_no_timings(app):
    _varied_history(random.Random(3))
    report = monitoring.build_report(monitoring.Period(date(2027, 1, 1), date(2027, 1, 31)))
    assert report.stages == [] and report.signoff_steps == []


def test_exact_microseconds_across_midnight_and_months(app):
    """One request, durations a float Julian day would round: exactly the microseconds between the events."""
    first = datetime(2026, 3, 31, 23, 59, 59, 999999, tzinfo=ALMATY)
    moments = [first, first + timedelta(microseconds=1), first + timedelta(days=31, microseconds=7)]
    db.session.execute(
        insert(ServiceRequest),
        [{"id": 1, "number": "ZZ-1", "service": "appointment", "channel": "web", "created_at": first}],
    )
    db.session.execute(
        insert(RequestEvent),
        [
            {"id": index + 1, "request_id": 1, "at": moment, "step": step, "channel": "web"}
            for index, (moment, step) in enumerate(zip(moments, STEPS[:1] + STEPS[2:4], strict=True))
        ],
    )
    db.session.commit()
    report = monitoring.build_report(monitoring.Period(date(2026, 3, 1), date(2026, 4, 30)), "appointment")
    assert [(timing.stage, timing.median_seconds) for timing in report.stages] == [
        ("submitted -> in_review", 0.000001),
        ("in_review -> completed", (moments[2] - moments[1]).total_seconds()),
    ]
