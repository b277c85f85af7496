"""The shared outside-service client (app.registries.client) that the registry and Bureau adapters use: it
keeps the circuit's state only through the `Breaker` interface, retries only what the adapter marks as
idempotent, with doubling pauses, and names the service and the setting when something fails."""

import logging
import socket

import pytest

from app.registries.bureau import BureauUnavailable
from app.registries.bureau_http import HttpBureau
from app.registries.client import JsonServiceClient
from app.registries.contract import RegistryUnavailable
from app.registries.http import HttpRegistry


class RecordingBreaker:
    """A breaker kept elsewhere (as a database-backed one would be): the client only asks and reports."""

    def __init__(self, allowing: bool = True):
        self.allowing = allowing
        self.calls: list[str] = []

    @property
    def state(self) -> str:
        return "closed" if self.allowing else "open"

    def allow(self) -> bool:
        self.calls.append("allow")
        return self.allowing

    def record_success(self) -> None:
        self.calls.append("success")

    def record_failure(self) -> None:
        self.calls.append("failure")

    def force_trial(self) -> None:
        self.calls.append("force_trial")

    def seconds_until_trial(self) -> float:
        return 12.0


@pytest.fixture
def refused_url():
    """A loopback port nobody listens on: every connection is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/api"


def test_an_idempotent_read_is_retried_with_doubling_pauses_and_counts_as_one_failure(refused_url, caplog):
    breaker, pauses = RecordingBreaker(), []
    registry = HttpRegistry(refused_url, "t", retries=2, backoff=0.5, breaker=breaker, sleep=pauses.append)
    with caplog.at_level(logging.WARNING), pytest.raises(RegistryUnavailable) as caught:
        registry.find_person("900101300018")
    assert caught.value.reason == "connection_error"
    assert pauses == [0.5, 1.0]
    assert breaker.calls == ["allow", "failure"]
    assert "registry gateway: person failed (connection_error), attempt 3 of 3" in caplog.text


def test_a_write_goes_once(refused_url):
    breaker, pauses = RecordingBreaker(), []
    bureau = HttpBureau(refused_url, "t", retries=2, breaker=breaker, sleep=pauses.append)
    with pytest.raises(BureauUnavailable) as caught:
        bureau.check_connection()
    assert (caught.value.reason, pauses, breaker.calls) == ("connection_error", [], ["allow", "failure"])


def test_an_open_breaker_stops_the_call_before_the_network(refused_url):
    breaker, pauses = RecordingBreaker(allowing=False), []
    client = JsonServiceClient(
        "test service", refused_url, "t", unavailable=BureauUnavailable, breaker=breaker, sleep=pauses.append
    )
    with pytest.raises(BureauUnavailable) as caught:
        client.call("GET", "/x", "read", retry=True)
    assert (caught.value.reason, caught.value.detail) == ("circuit_open", "next try in 12 s")
    assert (breaker.calls, pauses) == (["allow"], [])


def test_no_url_names_the_setting():
    client = JsonServiceClient("test service", "", "t", unavailable=RegistryUnavailable, url_setting="X_URL")
    with pytest.raises(RegistryUnavailable) as caught:
        client.call("GET", "/x", "read")
    assert (caught.value.reason, caught.value.detail) == ("not_configured", "X_URL is empty")
