"""A registry outage: requests wait in "registry pending", staff retry them, and the app never answers 500.

The gateway is the reference one on a real loopback socket, stopped mid-run.
"""

from datetime import date

import pytest
from sqlalchemy import select

from app.core.actors import Actor
from app.core.clock import now
from app.core.iin import make_iin
from app.extensions import db
from app.models import AuditEntry, Clinic, Patient, RequestEvent
from app.registries import RegistryUnavailable, get_registry
from app.services import local_registry, registry_pending
from app.services.local_registry import PersonRecord
from app.services.requests import create_request, transition
from tests.conftest import page_text
from tests.registry_gateway import TOKEN, GatewayServer

# A service with no table of its own: the queue and retries are generic over service requests.
SERVICE = "hospitalization-referral"
ON_TB = make_iin(date(1970, 4, 4), "M", serial=71)
NOT_ON_TB = make_iin(date(1985, 8, 8), "F", serial=82)


@pytest.fixture
def people(app):
    db.session.add(Clinic(name_kk="№7 емхана", name_ru="Поликлиника №7", code="EMH-0007"))
    local_registry.create_person(
        PersonRecord(iin=ON_TB, last_name="Серіков", first_name="Арман", registers={"tb": date(2020, 1, 1)})
    )
    local_registry.create_person(PersonRecord(iin=NOT_ON_TB, last_name="Иванова", first_name="Елена"))
    db.session.commit()


@pytest.fixture
def gateway(database_url):
    server = GatewayServer.start(database_url)
    yield server
    server.stop()


@pytest.fixture
def over_http(app, gateway):
    """The app's services use the gateway, with no cache, so an outage shows at once."""
    app.config.update(
        REGISTRY_BACKEND="http",
        REGISTRY_URL=gateway.url,
        REGISTRY_TOKEN=TOKEN,
        REGISTRY_CONNECT_TIMEOUT=2,
        REGISTRY_READ_TIMEOUT=5,
        REGISTRY_RETRIES=1,
        REGISTRY_RETRY_BACKOFF=0.01,
        REGISTRY_CACHE_SECONDS=0,
    )
    return gateway


def complete_when_registry_answers(request, actor):
    """A stand-in for a real service's handler: ask the TB register, then finish the request."""
    status = get_registry().register_status(request.subject.iin, "tb")
    transition(
        request, "completed", actor=actor, note="on the register" if status.is_registered else "not on it"
    )


@pytest.fixture
def handler():
    registry_pending.register_retry_handler(SERVICE, complete_when_registry_answers)
    yield complete_when_registry_answers
    registry_pending.unregister_retry_handler(SERVICE)


def waiting_request(iin=ON_TB):
    patient = Patient(
        iin=iin,
        last_name="Серіков",
        first_name="Арман",
        birth_date=date(1970, 4, 4),
        sex="M",
        created_at=now(),
    )
    db.session.add(patient)
    request = create_request(SERVICE, channel="web", actor=Actor.patient(), subject=patient)
    registry_pending.wait_for_registry(request, actor=Actor.system())
    db.session.commit()
    return request


def steps(request) -> list[str]:
    return [
        event.step
        for event in db.session.scalars(
            select(RequestEvent).where(RequestEvent.request_id == request.id).order_by(RequestEvent.id)
        )
    ]


# ---- the generic "registry pending" service ------------------------------------------------------------
def test_a_request_waits_then_completes_when_the_registry_answers(app, people, over_http, handler):
    request = waiting_request()
    assert request.status == "awaiting_registry"
    assert registry_pending.pending_requests() == [request]

    over_http.fault = "server_error"
    outcome = registry_pending.retry(request, Actor.system())
    assert (outcome.result, request.status) == ("unavailable", "awaiting_registry")

    over_http.fault = None
    outcome = registry_pending.retry(request, Actor.system())
    assert (outcome.result, request.status) == ("resolved", "completed")
    assert steps(request) == [
        "submitted",
        "registry_unavailable",
        "registry_retry",
        "registry_still_unavailable",
        "registry_retry",
        "completed",
    ]
    assert registry_pending.pending_requests() == []


def test_a_failed_retry_undoes_what_the_handler_half_did(app, people, handler):
    def half_done_then_down(request, actor):
        request.refusal_note = "half done"
        raise RegistryUnavailable("timeout")

    registry_pending.register_retry_handler(SERVICE, half_done_then_down)
    request = waiting_request()
    assert registry_pending.retry(request, Actor.system()).result == "unavailable"
    db.session.commit()
    db.session.expire_all()
    assert request.refusal_note == ""
    assert steps(request)[-1] == "registry_still_unavailable"


def test_retry_without_a_handler_or_of_a_request_not_waiting(app, people):
    request = waiting_request()
    assert registry_pending.retry(request, Actor.system()).result == "no_handler"
    transition(request, "cancelled", actor=Actor.system())
    assert registry_pending.retry(request, Actor.system()).result == "not_pending"


def test_waiting_twice_is_one_status_change(app, people):
    request = waiting_request()
    registry_pending.wait_for_registry(request, actor=Actor.system())
    assert [event.to_status for event in request.events if event.to_status] == [
        "submitted",
        "awaiting_registry",
    ]


# ---- the staff queue -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "status"), [("registrar", 200), ("head", 200), ("admin", 200), ("doctor", 403)]
)
def test_who_may_see_the_queue(client, login, people, role, status):
    login(role)
    assert client.get("/staff/registry-pending/").status_code == status


def test_every_queue_route_declares_its_roles(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("registry_queue."):
            assert app.view_functions[rule.endpoint].allowed_roles == {"registrar", "head", "admin"}


def test_staff_see_waiting_requests_and_retry_one_with_htmx(client, login, people, handler):
    request = waiting_request()
    staff = login("registrar")
    page = client.get("/staff/registry-pending/")
    assert request.number in page_text(page)
    assert "Серіков Арман" in page_text(page)

    response = client.post(f"/staff/registry-pending/{request.number}/retry", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith("<tr") and "registry-outcome--resolved" in html
    db.session.expire_all()
    assert request.status == "completed"
    retry_event = next(event for event in request.events if event.step == "registry_retry")
    assert retry_event.actor_staff_id == staff.id
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.object_id == request.number)).one()
    assert (audit.action, audit.patient_id) == ("update", request.subject_id)


def test_retry_all_stops_asking_once_the_registry_proves_down(client, login, people, over_http, handler):
    first, second = waiting_request(ON_TB), waiting_request(NOT_ON_TB)
    login("registrar")
    over_http.stop()
    response = client.post("/staff/registry-pending/retry-all")
    assert response.status_code == 303
    db.session.expire_all()
    assert (first.status, second.status) == ("awaiting_registry", "awaiting_registry")
    assert "registry_retry" not in steps(second)  # not asked again once the first proved the registry down


def test_retrying_an_unknown_request_is_404(client, login, people):
    login("registrar")
    assert client.post("/staff/registry-pending/AP-2026-999999/retry").status_code == 404


# ---- the gateway stops mid-run -------------------------------------------------------------------------
def test_stopping_the_gateway_mid_run_turns_reads_unavailable_and_nothing_answers_500(
    app, client, make_staff, people, over_http, handler
):
    make_staff("everyone", roles=("registrar", "doctor", "head", "admin"))
    assert client.post("/staff/login", data={"username": "everyone", "password": "correct-horse-battery"})
    registry = get_registry()
    assert registry.find_person(ON_TB).last_name == "Серіков"
    assert client.get("/healthz/deep").get_json()["registry"]["status"] == "ok"

    over_http.stop()

    with pytest.raises(RegistryUnavailable):
        get_registry().find_person(NOT_ON_TB)
    health = client.get("/healthz/deep")
    assert health.status_code == 200
    assert health.get_json()["registry"]["status"] == "unavailable"

    admin_page = client.get("/admin/registry/")
    assert admin_page.status_code == 200
    check = client.post("/admin/registry/connection", headers={"HX-Request": "true"})
    assert check.status_code == 200 and "notice--error" in check.get_data(as_text=True)

    request = waiting_request()
    queue = client.get("/staff/registry-pending/")
    assert queue.status_code == 200 and request.number in page_text(queue)
    retried = client.post(f"/staff/registry-pending/{request.number}/retry", headers={"HX-Request": "true"})
    assert retried.status_code == 200 and "registry-outcome--unavailable" in retried.get_data(as_text=True)

    # Every page without URL parameters, for a member of staff holding every role (in a client of its own:
    # some of those pages end the session, /kiosk/reset for one).
    crawler = app.test_client()
    crawler.post("/staff/login", data={"username": "everyone", "password": "correct-horse-battery"})
    server_errors = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint == "static":
            continue
        try:
            status = crawler.get(rule.rule).status_code
        except Exception as error:  # noqa: BLE001  (TESTING propagates errors: each one is a 500)
            status = f"{type(error).__name__}: {error}"
        if not isinstance(status, int) or status >= 500:
            server_errors.append((rule.rule, status))
    assert server_errors == []

    # The gateway comes back (on a new address): the waiting request completes on the next retry.
    revived = GatewayServer.start(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        app.config["REGISTRY_URL"] = revived.url
        client.post(f"/staff/registry-pending/{request.number}/retry")
        db.session.expire_all()
        assert request.status == "completed"
        assert client.get("/healthz/deep").get_json()["registry"]["status"] == "ok"
    finally:
        revived.stop()
