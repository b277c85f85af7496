"""The generic service request: numbering, deadlines from the catalogue, events, refusal grounds."""

from datetime import date, datetime

import pytest

from app.core.actors import Actor
from app.core.clock import ALMATY, now
from app.core.iin import make_iin
from app.extensions import db
from app.models import Patient, RequestEvent
from app.models.requests import AppendOnlyError
from app.services import requests as service_requests


@pytest.fixture
def patient(app):
    person = Patient(
        iin=make_iin(date(1985, 1, 12), "F", 17),
        last_name="Ахметова",
        first_name="Айгерім",
        birth_date=date(1985, 1, 12),
        sex="F",
        created_at=now(),
    )
    db.session.add(person)
    db.session.flush()
    return person


def test_numbers_are_sequential_per_prefix_and_year(app, patient, frozen):
    frozen(2026, 11, 23, 10, 0)
    first = service_requests.create_request(
        "appointment", channel="web", actor=Actor.patient(), subject=patient
    )
    second = service_requests.create_request(
        "appointment", channel="desk", actor=Actor.patient(), subject=patient
    )
    other = service_requests.create_request(
        "home-visit", channel="phone", actor=Actor.patient(), subject=patient
    )
    assert (first.number, second.number, other.number) == (
        "AP-2026-000001",
        "AP-2026-000002",
        "HV-2026-000001",
    )
    frozen(2027, 1, 5, 10, 0)
    assert (
        service_requests.create_request(
            "appointment", channel="web", actor=Actor.patient(), subject=patient
        ).number
        == "AP-2027-000001"
    )


def test_deadline_follows_the_channel_rule(app, demo_clinic, patient, frozen):
    frozen(2026, 11, 23, 19, 55)
    at_desk = service_requests.create_request(
        "appointment", channel="desk", actor=Actor.patient(), subject=patient
    )
    online = service_requests.create_request(
        "appointment", channel="web", actor=Actor.patient(), subject=patient
    )
    # 10 working minutes at the desk carry over to the next morning; 30 calendar minutes online.
    assert at_desk.deadline_at == datetime(2026, 11, 24, 8, 5, tzinfo=ALMATY)
    assert online.deadline_at == datetime(2026, 11, 23, 20, 25, tzinfo=ALMATY)


def test_every_step_is_an_event_and_final_statuses_are_final(app, patient, make_staff):
    registrar = make_staff("desk1", roles=("registrar",))
    request = service_requests.create_request(
        "attachment", channel="desk", actor=Actor.of_staff(registrar), subject=patient
    )
    service_requests.record_step(request, "identity_checked", actor=Actor.of_staff(registrar))
    service_requests.transition(request, "in_review", actor=Actor.of_staff(registrar))
    service_requests.transition(request, "completed", actor=Actor.of_staff(registrar))
    db.session.commit()
    steps = [(e.step, e.from_status, e.to_status, e.actor_staff_id) for e in request.events]
    assert steps == [
        ("submitted", None, "submitted", registrar.id),
        ("identity_checked", None, None, registrar.id),
        ("in_review", "submitted", "in_review", registrar.id),
        ("completed", "in_review", "completed", registrar.id),
    ]
    assert request.completed_at is not None
    with pytest.raises(service_requests.InvalidTransition):
        service_requests.transition(request, "cancelled", actor=Actor.system())


def test_refusal_needs_a_ground_of_that_service(app, patient):
    request = service_requests.create_request(
        "appointment", channel="web", actor=Actor.patient(), subject=patient
    )
    with pytest.raises(ValueError):
        service_requests.refuse(request, "no_consent", actor=Actor.system())
    service_requests.refuse(request, "not_attached", actor=Actor.system(), note="attached to clinic 12")
    assert (request.status, request.refusal_ground) == ("refused", "not_attached")


def test_the_event_log_is_append_only(app, patient):
    request = service_requests.create_request(
        "appointment", channel="web", actor=Actor.patient(), subject=patient
    )
    db.session.commit()
    event = db.session.get(RequestEvent, request.events[0].id)
    event.note = "rewritten history"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AppendOnlyError):
        db.session.delete(db.session.get(RequestEvent, request.events[0].id))
        db.session.flush()
    db.session.rollback()


def test_find_by_number_ignores_case_and_spaces(app, patient):
    request = service_requests.create_request(
        "appointment", channel="web", actor=Actor.patient(), subject=patient
    )
    assert service_requests.find_by_number(f"  {request.number.lower()} ") is request
