"""One contract suite for every registry adapter: the local registry, and the HTTP adapter talking to the
reference gateway over a real loopback socket. Then the HTTP adapter's own promises (timeouts, 5xx, garbled
replies, an open circuit, retries, the cache), and the gateway API itself against its OpenAPI document.
"""

from datetime import date
from pathlib import Path

import pytest
import requests

from app.core.iin import make_iin
from app.extensions import db
from app.models import Clinic
from app.registries import NotFound, RegistryUnavailable, get_registry, registry_health
from app.registries.http import CircuitBreaker, HttpRegistry
from app.registries.local import LocalRegistry
from app.services import local_registry
from app.services.local_registry import PersonRecord
from tests.registry_gateway import TOKEN, GatewayServer

OUR_CODE = "EMH-0007"
OUR_NAME = "Алматы қаласының №7 қалалық емханасы"
ATTACHED_HERE = make_iin(date(1980, 5, 17), "F", serial=101)
ATTACHED_ELSEWHERE = make_iin(date(1975, 1, 2), "M", serial=202)
NOT_ATTACHED = make_iin(date(1999, 9, 9), "M", serial=303)
UNKNOWN = make_iin(date(1960, 3, 3), "F", serial=404)


@pytest.fixture
def people(app):
    db.session.add(Clinic(name_kk=OUR_NAME, name_ru="Городская поликлиника №7", code=OUR_CODE))
    local_registry.create_person(
        PersonRecord(
            iin=ATTACHED_HERE,
            last_name="Ахметова",
            first_name="Әсел",
            middle_name="Серікқызы",
            address="Алматы қ., Абай даңғылы, 10",
            phone="+77011234567",
            clinic_code=OUR_CODE,
            clinic_name=OUR_NAME,
            district_number=2,
            attached_since=date(2015, 4, 1),
            last_free_choice_on=date(2015, 4, 1),
            registers={"tb": date(2021, 2, 3)},
        )
    )
    local_registry.create_person(
        PersonRecord(
            iin=ATTACHED_ELSEWHERE,
            last_name="Морозов",
            first_name="Андрей",
            clinic_code="EMH-0012",
            clinic_name="№12 емхана",
            district_number=5,
            attached_since=date(2010, 1, 1),
            registers={"psychiatry": date(2019, 6, 1), "narcology": date(2020, 7, 1)},
        )
    )
    local_registry.create_person(PersonRecord(iin=NOT_ATTACHED, last_name="Ким", first_name="Виктор"))
    db.session.commit()


@pytest.fixture
def gateway(database_url):
    server = GatewayServer.start(database_url)
    yield server
    server.stop()


def http_registry(server: GatewayServer, **options) -> HttpRegistry:
    settings = {
        # Generous: the machine running the tests may be busy. Only the slow-gateway test shortens them.
        "connect_timeout": 2,
        "read_timeout": 5,
        "retries": 2,
        "backoff": 0.01,
        "circuit_failures": 3,
        "circuit_cooldown": 60,
        "cache_seconds": 60,
        "token": TOKEN,
    }
    settings.update(options)
    return HttpRegistry(server.url, settings.pop("token"), **settings)


@pytest.fixture(params=["local", "http"])
def registry(request, people):
    if request.param == "local":
        return LocalRegistry(source="Emhana")
    return http_registry(request.getfixturevalue("gateway"))


# ---- the contract, for every adapter ------------------------------------------------------------------
def test_finds_a_person(registry):
    person = registry.find_person(ATTACHED_HERE)
    assert (person.iin, person.last_name, person.first_name, person.middle_name) == (
        ATTACHED_HERE,
        "Ахметова",
        "Әсел",
        "Серікқызы",
    )
    assert person.birth_date == date(1980, 5, 17)
    assert person.sex == "F"
    assert person.phone == "+77011234567"
    assert person.full_name == "Ахметова Әсел Серікқызы"
    assert person.source == "Emhana"


def test_an_unknown_person_is_not_found(registry):
    with pytest.raises(NotFound):
        registry.find_person(UNKNOWN)
    with pytest.raises(NotFound):
        registry.attachment_of(UNKNOWN)
    with pytest.raises(NotFound):
        registry.register_status(UNKNOWN, "tb")
    with pytest.raises(NotFound):
        registry.attach(UNKNOWN, OUR_CODE, 1, date(2026, 1, 5), free_choice=True)


def test_attachment_here_elsewhere_and_nowhere(registry):
    here = registry.attachment_of(ATTACHED_HERE)
    assert here.is_attached
    assert (here.clinic_code, here.clinic_name, here.district_number) == (OUR_CODE, OUR_NAME, 2)
    assert (here.since, here.last_free_choice_on) == (date(2015, 4, 1), date(2015, 4, 1))

    elsewhere = registry.attachment_of(ATTACHED_ELSEWHERE)
    assert (elsewhere.clinic_code, elsewhere.district_number) == ("EMH-0012", 5)

    nowhere = registry.attachment_of(NOT_ATTACHED)
    assert not nowhere.is_attached
    assert (nowhere.clinic_code, nowhere.district_number, nowhere.since) == (None, None, None)


def test_attach_by_free_choice_moves_the_person_and_records_the_date(registry):
    result = registry.attach(ATTACHED_ELSEWHERE, OUR_CODE, 3, date(2026, 1, 5), free_choice=True)
    assert (result.clinic_code, result.clinic_name, result.district_number) == (OUR_CODE, OUR_NAME, 3)
    assert result.since == date(2026, 1, 5)
    assert result.last_free_choice_on == date(2026, 1, 5)
    assert registry.attachment_of(ATTACHED_ELSEWHERE) == result


def test_attach_not_by_free_choice_keeps_the_last_free_choice_date(registry):
    result = registry.attach(ATTACHED_HERE, OUR_CODE, 4, date(2026, 2, 2), free_choice=False)
    assert result.district_number == 4
    assert result.last_free_choice_on == date(2015, 4, 1)
    first_time = registry.attach(NOT_ATTACHED, OUR_CODE, 1, date(2026, 2, 2), free_choice=False)
    assert first_time.is_attached and first_time.last_free_choice_on is None


def test_detach_ends_the_attachment_only_at_the_named_clinic(registry):
    unchanged = registry.detach(ATTACHED_ELSEWHERE, OUR_CODE, date(2026, 3, 1))
    assert unchanged.clinic_code == "EMH-0012"

    detached = registry.detach(ATTACHED_HERE, OUR_CODE, date(2026, 3, 1))
    assert not detached.is_attached
    assert detached.last_free_choice_on == date(2015, 4, 1)  # the once-a-year rule still needs it
    assert registry.attachment_of(ATTACHED_HERE) == detached
    assert not registry.detach(NOT_ATTACHED, OUR_CODE, date(2026, 3, 1)).is_attached


@pytest.mark.parametrize(
    ("iin", "register", "since"),
    [
        (ATTACHED_HERE, "tb", date(2021, 2, 3)),
        (ATTACHED_HERE, "psychiatry", None),
        (ATTACHED_HERE, "narcology", None),
        (ATTACHED_ELSEWHERE, "tb", None),
        (ATTACHED_ELSEWHERE, "psychiatry", date(2019, 6, 1)),
        (ATTACHED_ELSEWHERE, "narcology", date(2020, 7, 1)),
        (NOT_ATTACHED, "tb", None),
    ],
)
def test_register_status(registry, iin, register, since):
    status = registry.register_status(iin, register)
    assert (status.iin, status.register, status.is_registered, status.since) == (
        iin,
        register,
        bool(since),
        since,
    )
    assert status.source == "Emhana"


def test_check_connection_passes_when_the_registry_is_up(registry):
    registry.check_connection()
    registry.check_connection(force=True)


def test_both_adapters_give_the_same_answers(people, gateway):
    local, remote = LocalRegistry(source="Emhana"), http_registry(gateway)
    for iin in (ATTACHED_HERE, ATTACHED_ELSEWHERE, NOT_ATTACHED):
        assert local.find_person(iin) == remote.find_person(iin)
        assert local.attachment_of(iin) == remote.attachment_of(iin)
        for register in ("tb", "psychiatry", "narcology"):
            assert local.register_status(iin, register) == remote.register_status(iin, register)


# ---- the HTTP adapter when things go wrong ---------------------------------------------------------------
def test_a_slow_gateway_times_out_as_unavailable_without_retrying(people, gateway):
    registry = http_registry(gateway, read_timeout=0.2)
    gateway.fault = "slow"
    before = gateway.requests_seen
    with pytest.raises(RegistryUnavailable) as caught:
        registry.find_person(ATTACHED_HERE)
    assert caught.value.reason == "timeout"
    assert gateway.requests_seen - before == 1


def test_5xx_is_retried_then_reported_unavailable(people, gateway):
    registry = http_registry(gateway, retries=2)
    gateway.fault = "server_error"
    with pytest.raises(RegistryUnavailable) as caught:
        registry.find_person(ATTACHED_HERE)
    assert caught.value.reason == "server_error"
    assert gateway.requests_seen == 3


def test_a_passing_5xx_is_absorbed_by_the_retries(people, gateway):
    registry = http_registry(gateway, retries=2)
    gateway.fault, gateway.faulty_requests_left = "server_error", 2
    assert registry.find_person(ATTACHED_HERE).last_name == "Ахметова"
    assert gateway.requests_seen == 3


def test_writes_are_not_retried(people, gateway):
    registry = http_registry(gateway, retries=2)
    gateway.fault = "server_error"
    with pytest.raises(RegistryUnavailable):
        registry.attach(NOT_ATTACHED, OUR_CODE, 1, date(2026, 1, 5), free_choice=True)
    assert gateway.requests_seen == 1


@pytest.mark.parametrize("fault", ["malformed", "wrong_shape"])
def test_a_garbled_reply_is_unavailable(people, gateway, fault):
    registry = http_registry(gateway)
    gateway.fault = fault
    with pytest.raises(RegistryUnavailable) as caught:
        registry.attachment_of(ATTACHED_HERE)
    assert caught.value.reason == "malformed_response"
    assert gateway.requests_seen == 1  # a garbled reply is not retried: the same request gives the same reply


def test_control_and_bidi_characters_from_the_gateway_are_dropped(people, gateway):
    """Issue 13, item 3: "NUL and other control characters rejected or stripped, bidi controls removed from
    text that is printed": a registry's text is stored in patient cards and printed, like typed text."""
    local_registry.create_person(
        PersonRecord(iin=UNKNOWN, last_name="\u202eКим\u202c", first_name="Ол\x1bег", address="Абай\x07 10")
    )
    db.session.commit()
    person = http_registry(gateway).find_person(UNKNOWN)
    assert (person.last_name, person.first_name, person.address) == ("Ким", "Олег", "Абай 10")


def test_a_404_that_is_not_the_apis_answer_is_not_read_as_no_such_person(people, gateway):
    registry = http_registry(gateway)
    gateway.fault = "html_404"
    with pytest.raises(RegistryUnavailable) as caught:
        registry.find_person(ATTACHED_HERE)
    assert caught.value.reason == "unexpected_status"


def test_a_wrong_base_url_is_unavailable_not_not_found(people, gateway):
    registry = HttpRegistry(gateway.url.replace("/v1", "/v9"), TOKEN, retries=0)
    with pytest.raises(RegistryUnavailable):
        registry.find_person(ATTACHED_HERE)


def test_a_refused_token_is_unavailable(people, gateway):
    registry = http_registry(gateway, token="wrong-token")
    with pytest.raises(RegistryUnavailable) as caught:
        registry.find_person(ATTACHED_HERE)
    assert caught.value.reason == "unauthorized"


def test_a_stopped_gateway_is_unavailable(people, gateway):
    registry = http_registry(gateway, retries=1)
    assert registry.find_person(ATTACHED_HERE)
    gateway.stop()
    with pytest.raises(RegistryUnavailable) as caught:
        registry.attachment_of(ATTACHED_HERE)
    assert caught.value.reason == "connection_error"


def test_no_url_configured_is_unavailable():
    with pytest.raises(RegistryUnavailable) as caught:
        HttpRegistry("", "").find_person(ATTACHED_HERE)
    assert caught.value.reason == "not_configured"


class FakeClock:
    def __init__(self):
        self.value = 1000.0

    def __call__(self):
        return self.value


def test_the_circuit_opens_after_repeated_failures_and_stops_calling(people, gateway):
    clock = FakeClock()
    registry = http_registry(gateway, retries=0)
    registry.breaker = CircuitBreaker(3, 30, clock=clock)
    gateway.fault = "server_error"
    for _ in range(3):
        with pytest.raises(RegistryUnavailable):
            registry.find_person(ATTACHED_HERE)
    assert registry.circuit_state == "open"
    calls = gateway.requests_seen

    gateway.fault = None  # the gateway recovers, but the open circuit does not call it yet
    with pytest.raises(RegistryUnavailable) as caught:
        registry.find_person(ATTACHED_HERE)
    assert caught.value.reason == "circuit_open"
    assert gateway.requests_seen == calls

    clock.value += 31  # after the cooldown one trial call goes out, and its success closes the circuit
    assert registry.circuit_state == "half_open"
    assert registry.find_person(ATTACHED_HERE).iin == ATTACHED_HERE
    assert registry.circuit_state == "closed"


def test_a_failed_trial_opens_the_circuit_again(people, gateway):
    clock = FakeClock()
    registry = http_registry(gateway, retries=0)
    registry.breaker = CircuitBreaker(2, 30, clock=clock)
    gateway.fault = "server_error"
    for _ in range(2):
        with pytest.raises(RegistryUnavailable):
            registry.find_person(ATTACHED_HERE)
    clock.value += 31
    with pytest.raises(RegistryUnavailable) as caught:
        registry.find_person(ATTACHED_HERE)
    assert caught.value.reason == "server_error"
    assert registry.circuit_state == "open"


def test_a_forced_check_goes_through_an_open_circuit_and_closes_it(people, gateway):
    registry = http_registry(gateway, retries=0, circuit_failures=1)
    gateway.fault = "server_error"
    with pytest.raises(RegistryUnavailable):
        registry.find_person(ATTACHED_HERE)
    assert registry.circuit_state == "open"
    with pytest.raises(RegistryUnavailable) as caught:
        registry.check_connection()
    assert caught.value.reason == "circuit_open"
    gateway.fault = None
    registry.check_connection(force=True)
    assert registry.circuit_state == "closed"


def test_not_found_counts_as_the_registry_working(people, gateway):
    registry = http_registry(gateway, retries=0, circuit_failures=2)
    for _ in range(3):
        with pytest.raises(NotFound):
            registry.find_person(UNKNOWN)
    assert registry.circuit_state == "closed"


def test_reads_are_cached_briefly_and_a_write_drops_them(people, gateway):
    registry = http_registry(gateway)
    registry.attachment_of(NOT_ATTACHED)
    registry.attachment_of(NOT_ATTACHED)
    assert gateway.requests_seen == 1
    registry.attach(NOT_ATTACHED, OUR_CODE, 1, date(2026, 1, 5), free_choice=True)
    assert registry.attachment_of(NOT_ATTACHED).is_attached
    assert gateway.requests_seen == 3


def test_not_found_is_not_cached(people, gateway):
    registry = http_registry(gateway)
    for _ in range(2):
        with pytest.raises(NotFound):
            registry.find_person(UNKNOWN)
    assert gateway.requests_seen == 2


# ---- selection by configuration and the health report -------------------------------------------------
def test_the_backend_is_chosen_by_configuration(app, gateway):
    assert get_registry().name == "local"
    app.config.update(REGISTRY_BACKEND="http", REGISTRY_URL=gateway.url, REGISTRY_TOKEN=TOKEN)
    registry = get_registry()
    assert registry.name == "http"
    assert get_registry() is registry  # one adapter per app: the circuit and the cache are shared


def test_health_reports_the_backend_and_never_raises(app, gateway):
    assert registry_health()["status"] == "ok"
    app.config.update(
        REGISTRY_BACKEND="http", REGISTRY_URL=gateway.url, REGISTRY_TOKEN=TOKEN, REGISTRY_RETRIES=0
    )
    assert registry_health() | {"latency_ms": 0} == {
        "backend": "http",
        "status": "ok",
        "latency_ms": 0,
        "circuit": "closed",
    }
    gateway.stop()
    report = registry_health()
    assert (report["status"], report["reason"]) == ("unavailable", "connection_error")
    app.config.update(REGISTRY_BACKEND="carrier-pigeon")
    assert registry_health() == {"backend": "carrier-pigeon", "status": "unavailable", "reason": "config"}


# ---- the gateway API itself ------------------------------------------------------------------------------
def test_the_gateway_refuses_requests_without_the_token(people, gateway):
    url = f"{gateway.url}/persons/{ATTACHED_HERE}"
    assert requests.get(url, timeout=5).status_code == 401
    response = requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=5)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


def test_the_gateway_rejects_bad_input(people, gateway):
    headers = {"Authorization": f"Bearer {TOKEN}"}
    wrong_check_digit = ATTACHED_HERE[:11] + str((int(ATTACHED_HERE[11]) + 1) % 10)
    for bad_iin in ("123", wrong_check_digit, "991332300001"):
        assert requests.get(f"{gateway.url}/persons/{bad_iin}", headers=headers, timeout=5).status_code == 400
    assert (
        requests.get(f"{gateway.url}/persons/{ATTACHED_HERE}/registers/dental", headers=headers, timeout=5)
    ).status_code == 400
    response = requests.put(
        f"{gateway.url}/persons/{ATTACHED_HERE}/attachment",
        json={"clinic_code": OUR_CODE, "district_number": 0, "on_date": "2026-01-05"},
        headers=headers,
        timeout=5,
    )
    assert response.status_code == 400
    # Issue 13, item 3: "integers in range (404 or a form error, never a 500), NUL and other control
    # characters rejected": the gateway answers such a body with a 400, as the app does.
    for body in (
        {"clinic_code": "EMH-0012", "district_number": 2147483648, "on_date": "2026-01-05"},
        {"clinic_code": "EMH-0012", "district_number": "3", "on_date": "2026-01-05"},
        {"clinic_code": "EMH\u00000012", "district_number": 3, "on_date": "2026-01-05"},
        {"clinic_code": "E" * 21, "district_number": 3, "on_date": "2026-01-05"},
        {"clinic_code": "EMH-0012", "district_number": 3, "on_date": "9999-12-31"},
    ):
        response = requests.put(
            f"{gateway.url}/persons/{ATTACHED_HERE}/attachment", json=body, headers=headers, timeout=5
        )
        assert response.status_code == 400, body
    missing = requests.get(f"{gateway.url}/no/such/path", headers=headers, timeout=5)
    assert (missing.status_code, missing.json()["error"]) == (404, "no_such_endpoint")


def test_the_gateway_needs_a_token_to_start(database_url):
    from app.registry_gateway import create_gateway_app

    with pytest.raises(ValueError):
        create_gateway_app({"SQLALCHEMY_DATABASE_URI": database_url, "REGISTRY_GATEWAY_TOKEN": ""})


OPENAPI = Path(__file__).resolve().parent.parent / "docs" / "registry-gateway.openapi.yaml"


@pytest.fixture(scope="module")
def openapi_spec():
    import yaml

    return yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))


def test_the_openapi_document_is_valid(openapi_spec):
    from openapi_spec_validator import validate

    validate(openapi_spec)
    assert openapi_spec["openapi"].startswith("3.1")


def test_the_openapi_document_describes_every_gateway_route_and_no_other(openapi_spec, gateway):
    verbs = {"get", "put", "post", "delete", "patch"}
    documented = {
        (path, method.upper())
        for path, item in openapi_spec["paths"].items()
        for method in item
        if method in verbs
    }
    served = set()
    for rule in gateway.gateway_app.url_map.iter_rules():
        if rule.endpoint.startswith("registry_gateway."):
            path = rule.rule.removeprefix("/api/registry/v1").replace("<", "{").replace(">", "}")
            served |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == served


def test_the_gateways_replies_match_the_documented_schemas(people, gateway, openapi_spec):
    from jsonschema.validators import Draft202012Validator
    from referencing import Registry, Resource

    resource = Resource.from_contents(openapi_spec, default_specification=_json_schema_2020())
    schemas = Registry().with_resource("urn:spec", resource)

    def check(response, schema_name):
        validator = Draft202012Validator(
            {"$ref": f"urn:spec#/components/schemas/{schema_name}"}, registry=schemas
        )
        validator.validate(response.json())

    headers = {"Authorization": f"Bearer {TOKEN}"}
    base = gateway.url
    check(requests.get(f"{base}/health", headers=headers, timeout=5), "Health")
    for iin in (ATTACHED_HERE, NOT_ATTACHED):
        check(requests.get(f"{base}/persons/{iin}", headers=headers, timeout=5), "Person")
        check(requests.get(f"{base}/persons/{iin}/attachment", headers=headers, timeout=5), "Attachment")
        check(
            requests.get(f"{base}/persons/{iin}/registers/tb", headers=headers, timeout=5), "RegisterStatus"
        )
    check(requests.get(f"{base}/persons/{UNKNOWN}", headers=headers, timeout=5), "Error")
    check(requests.get(f"{base}/persons/{ATTACHED_HERE}", timeout=5), "Error")
    attach = {"clinic_code": OUR_CODE, "district_number": 1, "on_date": "2026-01-05", "free_choice": True}
    check(
        requests.put(f"{base}/persons/{NOT_ATTACHED}/attachment", json=attach, headers=headers, timeout=5),
        "Attachment",
    )
    detach = {"clinic_code": OUR_CODE, "on_date": "2026-02-05"}
    check(
        requests.post(
            f"{base}/persons/{NOT_ATTACHED}/attachment/detach", json=detach, headers=headers, timeout=5
        ),
        "Attachment",
    )


def _json_schema_2020():
    from referencing.jsonschema import DRAFT202012

    return DRAFT202012


def test_the_gateway_command_refuses_to_serve_without_a_token(app, runner, monkeypatch):
    monkeypatch.delenv("REGISTRY_GATEWAY_TOKEN", raising=False)
    result = runner.invoke(args=["registry-gateway", "--port", "0"])
    assert result.exit_code != 0
    assert "REGISTRY_GATEWAY_TOKEN" in result.output
