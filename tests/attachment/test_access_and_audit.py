"""Access per role, the audit of the desk's reads and changes, fragments for htmx, the catalogue entry."""

import io
import re

import pytest
from sqlalchemy import select

from app.core.actors import Actor
from app.extensions import db
from app.models import AuditEntry
from app.services import attachment as attachment_service
from app.services import catalogue, registry_pending, uploads
from tests.attachment.factories import (
    JPEG,
    application_of,
    apply_online,
    count,
    last_sms,
    new_person,
    sign_in_online,
    staff_client,
)
from tests.conftest import page_text

# ---- access, audit, fragments ----------------------------------------------------------------------------
STAFF_PAGES = ("/staff/attachment/", "/staff/attachment/new", "/staff/attachment/population")


@pytest.mark.parametrize(
    ("role", "allowed"), [("registrar", True), ("head", True), ("doctor", False), ("admin", False)]
)
def test_access_per_role(app, clinic, make_staff, role, allowed):
    person = new_person(serial=121)
    application = attachment_service.submit_application(
        attachment_service.ApplicationInput(
            iin=person.iin, address="Алматы, Абай даңғылы 20", reason="residence"
        ),
        actor=Actor.patient(),
        channel="web",
    )
    number = application.request.number
    db.session.commit()
    staff = staff_client(app, make_staff, role)
    for url in (*STAFF_PAGES, f"/staff/attachment/{number}"):
        assert staff.get(url).status_code == (200 if allowed else 403), url
    response = staff.post(
        f"/staff/attachment/{number}/approve", data={"district_id": clinic["districts"][1].id}
    )
    assert response.status_code == (303 if allowed else 403)
    assert (application_of(person.iin).request.status == "completed") is allowed


def test_anonymous_visitors_are_sent_to_sign_in_and_see_no_application(app, client, clinic):
    person = new_person(serial=122)
    application = attachment_service.submit_application(
        attachment_service.ApplicationInput(
            iin=person.iin, address="Алматы, Абай даңғылы 20", reason="residence"
        ),
        actor=Actor.patient(),
        channel="web",
    )
    number = application.request.number
    db.session.commit()
    for url in STAFF_PAGES:
        assert client.get(url).headers["Location"].startswith("/staff/login")
    public = client.get(f"/attachment/{number}")
    assert public.status_code == 303 and "Сейітова" not in page_text(public)
    # someone signed in with another IIN cannot open it either
    other = new_person(serial=123)
    sign_in_online(client, other.iin)
    assert client.get(f"/attachment/{number}").status_code == 404
    assert client.get(f"/attachment/{number}/document").status_code == 404


def test_staff_views_prints_and_file_downloads_are_audited(app, clinic, make_staff):
    person = new_person(serial=124)
    desk = staff_client(app, make_staff, "registrar")
    desk.post(
        "/staff/attachment/new",
        data={
            "iin": person.iin,
            "address": "Алматы, Абай даңғылы 20",
            "reason": "residence",
            "language": "kk",
            "identity_checked": "y",
            "application_file": (io.BytesIO(JPEG), "a.jpg"),
        },
        content_type="multipart/form-data",
    )
    application = application_of(person.iin)
    number = application.request.number
    desk.get("/staff/attachment/")
    desk.get(f"/staff/attachment/{number}")
    stored = application.files[0]
    download = desk.get(f"/staff/attachment/files/{stored.id}")
    assert download.status_code == 200 and download.mimetype == "image/jpeg" and download.data == JPEG
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    desk.post(f"/staff/attachment/{number}/approve", data={"district_id": clinic["districts"][1].id})
    printed = desk.get(f"/staff/attachment/{number}/document")
    assert printed.mimetype == "application/pdf"
    desk.get("/staff/attachment/population")

    entries = {(entry.action, entry.object_type) for entry in db.session.scalars(select(AuditEntry))}
    for expected in [
        ("create", "attachment_application"),
        ("view", "attachment_queue"),
        ("view", "attachment_application"),
        ("view", "attachment_file"),
        ("update", "attachment_application"),
        ("print", "document"),
        ("view", "attached_population"),
    ]:
        assert expected in entries, expected
    file_entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "attachment_file")
    ).one()
    assert file_entry.patient_id == application_of(person.iin).request.subject_id


def test_uploaded_files_are_never_served_to_patients_or_anonymous_visitors(app, client, clinic, make_staff):
    person = new_person(serial=125)
    desk = staff_client(app, make_staff, "registrar")
    desk.post(
        "/staff/attachment/new",
        data={
            "iin": person.iin,
            "address": "Алматы, Абай даңғылы 20",
            "reason": "residence",
            "language": "kk",
            "identity_checked": "y",
            "application_file": (io.BytesIO(JPEG), "a.jpg"),
        },
        content_type="multipart/form-data",
    )
    stored = application_of(person.iin).files[0]
    assert client.get(f"/staff/attachment/files/{stored.id}").status_code == 302  # to the staff login
    assert str(uploads.uploads_dir()) not in str(app.static_folder)
    assert uploads.path_of("../../etc/passwd") is None


def test_htmx_gets_fragments_and_normal_requests_get_pages(app, client, clinic, make_staff):
    person = new_person(serial=126)
    number = apply_online(client, person.iin, reason="residence").headers["Location"].rsplit("/", 1)[-1]
    page = client.get(f"/attachment/{number}")
    fragment = client.get(f"/attachment/{number}", headers={"HX-Request": "true"})
    assert "<html" in page.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True) and 'id="application-status"' in fragment.get_data(
        as_text=True
    )
    assert 'hx-trigger="every 30s"' in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]
    desk = staff_client(app, make_staff, "registrar")
    queue = desk.get("/staff/attachment/", headers={"HX-Request": "true"})
    assert "<html" not in queue.get_data(as_text=True) and number in queue.get_data(as_text=True)


def test_signing_in_through_htmx_swaps_the_box_then_loads_the_form(app, client, clinic):
    person = new_person(serial=127)
    htmx = {"HX-Request": "true"}
    box = client.post("/attachment/code", data={"iin": person.iin}, headers=htmx)
    assert "<html" not in box.get_data(as_text=True) and 'id="identify"' in box.get_data(as_text=True)
    code = re.search(r"\b(\d{6})\b", last_sms().text)[1]
    wrong = client.post(
        "/attachment/code/check", data={"code": "000000" if code != "000000" else "111111"}, headers=htmx
    )
    assert wrong.status_code == 200 and 'id="identify"' in wrong.get_data(as_text=True)
    done = client.post("/attachment/code/check", data={"code": code}, headers=htmx)
    # a 303 would be followed inside the XHR and htmx would never see where to go
    assert done.status_code == 200 and done.headers["HX-Redirect"] == "/attachment/apply"


def test_the_service_is_listed_as_built_with_its_start_page(app, client, clinic):
    service = catalogue.get("attachment")
    assert service.built and service.start_endpoint == "attachment.start_application"
    assert "/attachment/" in client.get("/services/attachment").get_data(as_text=True)


def test_the_service_audits_what_a_staff_member_does_whoever_calls_it(app, clinic, make_staff):
    registrar = make_staff("reg", roles=("registrar",))
    actor = Actor.of_staff(registrar, ip="10.0.0.7", user_agent="desk browser")
    person = new_person(serial=128)
    application = attachment_service.submit_application(
        attachment_service.ApplicationInput(
            iin=person.iin, address="Алматы, Абай даңғылы 20", reason="residence"
        ),
        actor=actor,
        channel="desk",
    )
    attachment_service.approve(application, district=clinic["districts"][1], actor=actor)
    entries = [
        (entry.action, entry.object_type, entry.detail, entry.ip)
        for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    ]
    assert entries == [
        ("create", "attachment_application", "desk application, 0 files", "10.0.0.7"),
        ("update", "attachment_application", "approved: district 1", "10.0.0.7"),
    ]


def test_a_patients_own_application_is_not_in_the_audit_log(app, clinic):
    person = new_person(serial=129)
    attachment_service.submit_application(
        attachment_service.ApplicationInput(
            iin=person.iin, address="Алматы, Абай даңғылы 20", reason="residence"
        ),
        actor=Actor.patient(),
        channel="web",
    )
    assert count(AuditEntry) == 0


def test_asking_again_while_the_registry_is_down_leaves_the_application_in_review(app, clinic, make_staff):
    person = new_person(serial=130)
    registrar = make_staff("reg", roles=("registrar",))
    application = attachment_service.submit_application(
        attachment_service.ApplicationInput(
            iin=person.iin, address="Алматы, Абай даңғылы 20", reason="residence"
        ),
        actor=Actor.patient(),
        channel="web",
    )
    app.config["REGISTRY_BACKEND"] = "http"  # no gateway address: every call is "unavailable"
    app.config["REGISTRY_URL"] = ""
    outcome = attachment_service.recheck(application, actor=Actor.of_staff(registrar))
    assert (outcome.result, outcome.message) == ("unavailable", str(registry_pending.UNAVAILABLE_MESSAGE))
    assert application.request.status == "in_review"
    with pytest.raises(attachment_service.RegistryDown):
        attachment_service.approve(
            application, district=clinic["districts"][1], actor=Actor.of_staff(registrar)
        )
    assert application.request.status == "in_review"
    details = db.session.scalars(select(AuditEntry.detail).order_by(AuditEntry.id)).all()
    assert details == ["checked again: unavailable"]


def test_the_decision_sms_is_a_step_of_the_request(app, clinic, make_staff):
    person = new_person(serial=131)
    registrar = make_staff("reg", roles=("registrar",))
    application = attachment_service.submit_application(
        attachment_service.ApplicationInput(
            iin=person.iin, address="Алматы, Абай даңғылы 20", reason="residence"
        ),
        actor=Actor.patient(),
        channel="web",
    )
    attachment_service.approve(application, district=clinic["districts"][1], actor=Actor.of_staff(registrar))
    assert [event.step for event in application.request.events][-1] == "sms_approved"
    assert last_sms().phone == person.phone
