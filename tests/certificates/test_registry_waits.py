"""The registry does not answer: the request waits, and completes when the registry is back."""

from datetime import timedelta

import pytest

from app.core.actors import Actor
from app.services import registry_pending
from tests.certificates.factories import (
    TEXT,
    choose_language,
    last_message_to,
    messages_to,
    only_request,
    patient_card,
    registry_down,
    registry_person,
    registry_up,
    request_for,
    sign_in,
    subject_person,
)
from tests.conftest import page_text


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_registry_down_keeps_the_request_waiting_and_it_completes_later(app, client, frozen, language):
    me = registry_person(registers=("tb",))
    patient_card(me, language=language)  # the phone on the clinic card lets the person sign in
    choose_language(client, language)
    frozen(2026, 3, 10, 10, 0)
    sign_in(client, me)
    registry_down()
    created = request_for(client, "tb")
    assert created.status_code == 303
    request = only_request()
    assert request.status == "awaiting_registry"
    assert request.deadline_at == request.created_at + timedelta(minutes=30)
    page = client.get(created.headers["Location"])
    assert TEXT[language]["registry_waiting"] in page_text(page)
    assert "10:30" in page_text(page)  # the deadline the applicant is told

    registry_up()
    frozen(2026, 3, 10, 10, 5)
    poll = client.get(f"/certificates/requests/{request.number}/status?was=awaiting_registry")
    assert poll.headers.get("HX-Refresh") == "true"
    request = only_request()
    assert request.status == "completed"
    assert last_message_to(me.phone).purpose == "certificate_completed"
    assert "registry_unavailable" in [event.step for event in request.events]


def test_registry_pending_retries_a_third_party_request_and_then_asks_for_consent(app, client):
    applicant = registry_person()
    patient_card(applicant)
    subject = subject_person()
    sign_in(client, applicant, "psychiatry")
    registry_down()
    response = request_for(client, "psychiatry", for_whom="other", subject_iin=subject.iin)
    assert response.status_code == 303
    request = only_request()
    assert request.status == "awaiting_registry" and messages_to(subject.phone) == []
    assert registry_pending.retry(request, Actor.system()).result == "unavailable"
    registry_up()
    outcome = registry_pending.retry(request, Actor.system())
    assert outcome.result == "resolved"
    assert request.status == "awaiting_consent" and len(messages_to(subject.phone)) == 1
