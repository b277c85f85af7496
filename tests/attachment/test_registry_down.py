"""The register being down: an application waits with everything entered, and a retry carries on."""

import html
import io

from flask_babel import force_locale

from app.core.actors import Actor
from app.core.clock import now
from app.extensions import db
from app.models import Patient
from app.services import registry_pending, uploads
from tests.attachment.factories import JPEG, PDF, application_of, apply_online, new_person, staff_client
from tests.conftest import page_text


def test_the_registry_being_down_keeps_the_application_waiting_and_a_retry_carries_on(
    app, client, clinic, make_staff
):
    person = new_person(serial=115)
    db.session.add(
        Patient(
            iin=person.iin,
            last_name=person.last_name,
            first_name=person.first_name,
            birth_date=person.birth_date,
            sex="F",
            phone=person.phone,
            created_at=now(),
        )
    )
    db.session.commit()
    app.config["REGISTRY_BACKEND"] = "http"  # no gateway address: every call is "unavailable"
    app.config["REGISTRY_URL"] = ""
    response = apply_online(client, person.iin, reason="residence", address="Алматы, Абай даңғылы 33, 7")
    assert response.status_code == 303
    number = response.headers["Location"].rsplit("/", 1)[-1]
    with force_locale("kk"):
        waiting = str(registry_pending.WAITING_MESSAGE) % {"number": number}
    assert waiting in html.unescape(page_text(client.get(f"/attachment/{number}")))
    application = application_of(person.iin)
    assert application.request.status == "awaiting_registry"
    assert application.address == "Алматы, Абай даңғылы 33, 7" and application.reason == "residence"

    desk = staff_client(app, make_staff, "registrar")
    down = desk.post(f"/staff/attachment/{number}/check", follow_redirects=True)
    assert application_of(person.iin).request.status == "awaiting_registry"
    assert down.status_code == 200

    app.config["REGISTRY_BACKEND"] = "local"
    outcome = registry_pending.retry(application_of(person.iin).request, Actor.system())
    assert outcome.result == "resolved"
    application = application_of(person.iin)
    assert application.request.status == "in_review"
    assert application.proposed_district.number == 1
    assert application.address == "Алматы, Абай даңғылы 33, 7"


def test_a_desk_application_taken_while_the_registry_is_down_keeps_its_files(app, clinic, make_staff):
    person = new_person(serial=116)
    desk = staff_client(app, make_staff, "registrar")
    app.config["REGISTRY_BACKEND"] = "http"
    app.config["REGISTRY_URL"] = ""
    response = desk.post(
        "/staff/attachment/new",
        data={
            "iin": person.iin,
            "address": "Алматы, Төле би көшесі 5",
            "reason": "free_choice",
            "language": "ru",
            "identity_checked": "y",
            "phone": "8 701 222 33 44",
            "application_file": (io.BytesIO(JPEG), "заявление.jpg"),
            "identity_file": (io.BytesIO(PDF), "udv.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    application = application_of(person.iin)
    assert application.request.status == "awaiting_registry" and application.request.subject is None
    assert application.phone == "+77012223344" and application.request.language == "ru"
    assert sorted(stored.kind for stored in application.files) == ["application", "identity"]
    assert all(uploads.path_of(stored.stored_name) for stored in application.files)

    app.config["REGISTRY_BACKEND"] = "local"
    desk.post(f"/staff/attachment/{application.request.number}/check")
    application = application_of(person.iin)
    assert application.request.status == "in_review"
    assert application.request.subject.iin == person.iin  # the card is made from the registry's answer
    assert application.proposed_district.number == 2
