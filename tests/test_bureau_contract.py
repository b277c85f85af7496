"""One contract suite for both Hospitalization Bureau adapters: the embedded default, and the HTTP adapter
talking to a reference gateway over a real loopback socket. Then the HTTP adapter's own promises (timeouts,
5xx, garbled replies, a refused token, a stopped gateway, the circuit) and the gateway against its OpenAPI
document."""

from datetime import date
from pathlib import Path

import pytest
import yaml

from app.core.iin import make_iin
from app.registries import hospitalization as bureau
from tests.bureau_gateway import TOKEN, BureauServer

IIN = make_iin(date(1970, 3, 8), "F", serial=515)


def package(number="HR-2026-000001", **fields) -> bureau.ReferralPackage:
    values = {
        "referral_number": number,
        "iin": IIN,
        "full_name": "Ахметова Әсел",
        "birth_date": date(1970, 3, 8),
        "diagnosis_code": "K80.2",
        "profile": "surgery",
        "preferred_hospital": "ГКБ №7",
        "clinic_code": "EMH-0007",
    }
    values.update(fields)
    return bureau.ReferralPackage(**values)


@pytest.fixture
def gateway():
    server = BureauServer.start()
    yield server
    server.stop()


def http_bureau(server: BureauServer, **options) -> bureau.HttpBureau:
    settings = {"connect_timeout": 2, "read_timeout": 5, "retries": 2, "backoff": 0.01, "circuit_failures": 3}
    settings.update(options)
    return bureau.HttpBureau(server.url, settings.pop("token", TOKEN), **settings)


@pytest.fixture(params=["embedded", "http"])
def hub(request):
    if request.param == "embedded":
        return bureau.EmbeddedBureau()
    return http_bureau(request.getfixturevalue("gateway"))


# ---- the contract, for every adapter ------------------------------------------------------------------
def test_a_package_gets_a_ticket_and_sending_it_again_gives_the_same_one(hub):
    first = hub.submit(package())
    again = hub.submit(package())
    other = hub.submit(package("HR-2026-000002"))
    assert first.ticket and first.ticket == again.ticket and other.ticket != first.ticket
    assert first.source


def test_a_fresh_ticket_has_no_answer_yet(hub):
    receipt = hub.submit(package())
    assert hub.answer(receipt.ticket) is None


@pytest.mark.parametrize("fields", [{"iin": "123"}, {"diagnosis_code": ""}, {"profile": ""}])
def test_a_package_that_does_not_fit_is_rejected(hub, fields):
    with pytest.raises(bureau.BureauRejected):
        hub.submit(package(**fields))


def test_an_unknown_ticket_is_unknown(hub):
    with pytest.raises(bureau.TicketUnknown):
        hub.answer("NO-SUCH-TICKET")


def test_the_connection_check_passes(hub):
    hub.check_connection()


def test_who_gives_the_date(hub):
    """The embedded Bureau never answers by itself (staff type the portal's answer); the gateway does."""
    assert hub.answers_by_itself is (hub.name == "http")


# ---- the HTTP adapter's own promises -----------------------------------------------------------------
def test_the_bureau_gives_a_date_through_the_gateway(gateway):
    hub = http_bureau(gateway)
    ticket = hub.submit(package()).ticket
    gateway.give_date(ticket, "KZ-HB-2026-7781", "ГКБ №7, хирургия", date(2026, 12, 2))
    answer = hub.answer(ticket)
    assert (answer.referral_code, answer.hospital, answer.hospitalization_date) == (
        "KZ-HB-2026-7781",
        "ГКБ №7, хирургия",
        date(2026, 12, 2),
    )


@pytest.mark.parametrize(
    ("fault", "reason"), [("server_error", "server_error"), ("malformed", "malformed_response")]
)
def test_a_faulty_gateway_is_an_outage_not_an_answer(gateway, fault, reason):
    hub = http_bureau(gateway)
    gateway.fault = fault
    with pytest.raises(bureau.BureauUnavailable) as raised:
        hub.submit(package())
    assert raised.value.reason == reason


def test_a_slow_gateway_times_out(gateway):
    hub = http_bureau(gateway, read_timeout=0.2, retries=0)
    gateway.fault = "slow"
    with pytest.raises(bureau.BureauUnavailable) as raised:
        hub.answer("HB-000001")
    assert raised.value.reason == "timeout"


def test_a_refused_token_is_an_outage(gateway):
    hub = http_bureau(gateway, token="wrong")
    with pytest.raises(bureau.BureauUnavailable) as raised:
        hub.submit(package())
    assert raised.value.reason == "unauthorized"


def test_a_stopped_gateway_opens_the_circuit(gateway):
    hub = http_bureau(gateway, retries=0, circuit_failures=2)
    gateway.stop()
    for _attempt in range(2):
        with pytest.raises(bureau.BureauUnavailable) as raised:
            hub.submit(package())
        assert raised.value.reason == "connection_error"
    seen = gateway.requests_seen
    with pytest.raises(bureau.BureauUnavailable) as raised:
        hub.submit(package())
    assert raised.value.reason == "circuit_open" and gateway.requests_seen == seen


def test_reads_are_retried_on_a_passing_fault(gateway):
    hub = http_bureau(gateway)
    ticket = hub.submit(package()).ticket
    gateway.fault = "server_error"
    seen = gateway.requests_seen
    with pytest.raises(bureau.BureauUnavailable):
        hub.answer(ticket)
    assert gateway.requests_seen - seen == 3  # one try and two retries


def test_an_empty_url_is_not_configured(app):
    app.config.update(BUREAU_BACKEND="http", BUREAU_URL="")
    with pytest.raises(bureau.BureauUnavailable) as raised:
        bureau.get_bureau().submit(package())
    assert raised.value.reason == "not_configured"
    app.config["BUREAU_BACKEND"] = "embedded"
    assert bureau.get_bureau().name == "embedded"


def test_the_gateway_follows_its_openapi_document(gateway):
    document = yaml.safe_load(Path("docs/bureau-gateway.openapi.yaml").read_text(encoding="utf-8"))
    assert set(document["paths"]) == {"/health", "/referrals", "/referrals/{ticket}"}
    assert document["servers"][0]["url"].endswith("/api/bureau/v1") and gateway.url.endswith("/api/bureau/v1")
    referral = document["components"]["schemas"]["Referral"]
    hub = http_bureau(gateway)
    ticket = hub.submit(package()).ticket
    gateway.give_date(ticket, "KZ-1", "ГКБ", date(2026, 12, 2))
    shown = gateway.referrals[ticket]
    assert set(referral["required"]) <= set(shown) <= set(referral["properties"])
    assert shown["status"] in referral["properties"]["status"]["enum"]
