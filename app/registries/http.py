"""The HTTP gateway adapter: JSON over HTTP(S) to the gateway described in docs/registry-gateway.openapi.yaml.

What it promises services (the contract), whatever the network does:
- every transport failure, timeout, 5xx, garbled or inconsistent reply, refused token and open circuit
  becomes RegistryUnavailable (with a `reason`); only the API's own "not_found" answer becomes NotFound.
  A bare 404 (a wrong base URL, a proxy's error page) is a misconfiguration, not "no such person":
  treating it as NotFound would refuse people because of a typo in the settings.
- idempotent reads are retried a bounded number of times, with exponential backoff, on connection errors
  and 5xx. Timeouts are not retried: a gateway that is slow now will be slow in 250 ms too, and the
  person at the desk would wait three times as long for the same "unavailable".
- writes (attach, detach) are tried once; they are idempotent on the gateway's side, so the service's
  "registry pending" retry can safely send them again.
- after `circuit_failures` failed calls in a row the circuit opens: calls fail at once for
  `circuit_cooldown` seconds, then one trial call decides whether it closes again.
- successful reads are cached for `cache_seconds`; a write drops the person's cached answers.
- with `shared_circuit` and `shared_cache_version` (app.registries.shared, set up by get_registry()), the
  circuit and the cache's version live in the database: a failure counts for every process and host, and a
  write in one process empties every process's cache before its next read (an attachment is never shown stale
  by another worker).
The transport (timeouts, retries, the circuit breaker, logging outages) is the shared outside-service client,
app.registries.client; this module says what the registry's answers mean.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import date

from app.core.inputs import clean_text, to_int
from app.registries.client import Breaker, CircuitBreaker, JsonServiceClient
from app.registries.contract import (
    REGISTERS,
    Attachment,
    NotFound,
    Person,
    Register,
    RegisterStatus,
    RegistryUnavailable,
)

# CircuitBreaker is the client's, named here too for the code that has always imported it from this module.
__all__ = ["CircuitBreaker", "HttpRegistry", "TtlCache"]


class TtlCache:
    """A small thread-safe cache of recent answers; entries expire after `seconds`."""

    def __init__(
        self,
        seconds: float,
        max_entries: int = 2048,
        clock: Callable[[], float] = time.monotonic,
        *,
        shared_version=None,
    ):
        self.seconds = seconds
        self.max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple, tuple[float, object]] = OrderedDict()
        # app.registries.shared.SharedCacheVersion: another process's write empties this cache too.
        self._shared_version = shared_version
        self._seen_version: int | None = None

    def sync(self) -> None:
        """Drop everything when another process wrote since the last look (a database read per call)."""
        if self._shared_version is None or self.seconds <= 0:
            return
        version = self._shared_version.current()
        with self._lock:
            if version is None:  # the database cannot say: cache nothing rather than serve something stale
                self._entries.clear()
                self._seen_version = None
            elif version != self._seen_version:
                self._entries.clear()
                self._seen_version = version

    def written(self) -> None:
        """This process wrote: tell every other process's cache."""
        if self._shared_version is not None:
            self._shared_version.bump()

    def get(self, key: tuple):
        if self.seconds <= 0:
            return None
        self.sync()
        with self._lock:
            hit = self._entries.get(key)
            if hit is None:
                return None
            expires_at, value = hit
            if expires_at <= self._clock():
                del self._entries[key]
                return None
            return value

    def put(self, key: tuple, value) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            if self._shared_version is not None and self._seen_version is None:
                return
            self._entries[key] = (self._clock() + self.seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def drop_person(self, iin: str) -> None:
        with self._lock:
            for key in [key for key in self._entries if key[1] == iin]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class HttpRegistry:
    name = "http"

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
        retries: int = 2,
        backoff: float = 0.25,
        circuit_failures: int = 5,
        circuit_cooldown: float = 30.0,
        cache_seconds: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        breaker: Breaker | None = None,
        shared_circuit=None,
        shared_cache_version=None,
    ):
        if breaker is None and shared_circuit is not None:
            breaker = CircuitBreaker(
                int(circuit_failures), float(circuit_cooldown), name="registry gateway", shared=shared_circuit
            )
        self.client = JsonServiceClient(
            "registry gateway",
            base_url,
            token,
            unavailable=RegistryUnavailable,
            answered=(NotFound,),
            interpret=_interpret,
            url_setting="REGISTRY_URL",
            token_setting="REGISTRY_TOKEN",
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries=retries,
            backoff=backoff,
            breaker=breaker,
            circuit_failures=circuit_failures,
            circuit_cooldown=circuit_cooldown,
            sleep=sleep,
        )
        self.cache = TtlCache(float(cache_seconds), shared_version=shared_cache_version)

    @property
    def breaker(self) -> Breaker:
        return self.client.breaker

    @breaker.setter
    def breaker(self, breaker: Breaker) -> None:
        self.client.breaker = breaker

    # -- the contract ------------------------------------------------------------------------------------
    def find_person(self, iin: str) -> Person:
        return self._cached_read(("person", iin), f"/persons/{iin}", lambda data: _person(data, iin))

    def attachment_of(self, iin: str) -> Attachment:
        return self._cached_read(
            ("attachment", iin), f"/persons/{iin}/attachment", lambda data: _attachment(data, iin)
        )

    def register_status(self, iin: str, register: Register) -> RegisterStatus:
        if register not in REGISTERS:
            raise ValueError(f"unknown register {register!r}")
        return self._cached_read(
            ("register", iin, register),
            f"/persons/{iin}/registers/{register}",
            lambda data: _register_status(data, iin, register),
        )

    def attach(
        self, iin: str, clinic_code: str, district_number: int, on_date: date, *, free_choice: bool
    ) -> Attachment:
        body = {
            "clinic_code": clinic_code,
            "district_number": district_number,
            "on_date": on_date.isoformat(),
            "free_choice": bool(free_choice),
        }
        self.cache.drop_person(iin)
        try:
            data = self.client.call("PUT", f"/persons/{iin}/attachment", "attach", json=body)
        finally:
            self.cache.written()  # after the gateway changed: no process re-reads the old answer after this
        return self.client.accept(lambda: _attachment(data, iin), "attach")

    def detach(self, iin: str, clinic_code: str, on_date: date) -> Attachment:
        body = {"clinic_code": clinic_code, "on_date": on_date.isoformat()}
        self.cache.drop_person(iin)
        try:
            data = self.client.call("POST", f"/persons/{iin}/attachment/detach", "detach", json=body)
        finally:
            self.cache.written()  # after the gateway changed: no process re-reads the old answer after this
        return self.client.accept(lambda: _attachment(data, iin), "detach")

    def check_connection(self, *, force: bool = False) -> None:
        if force:
            self.breaker.force_trial()
        data = self.client.call("GET", "/health", "health", use_breaker=not force)
        self.client.accept(lambda: _health(data), "health")

    @property
    def circuit_state(self) -> str:
        return self.breaker.state

    # -- reads through the cache --------------------------------------------------------------------------
    def _cached_read(self, key: tuple, path: str, parse):
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        data = self.client.call("GET", path, key[0], retry=True)
        value = self.client.accept(lambda: parse(data), key[0])
        self.cache.put(key, value)
        return value


def _interpret(status: int, body, path: str) -> None:
    """Only the API's own "not_found" is an answer. A bare 404 (a wrong base URL, a proxy's error page) is a
    misconfiguration: reading it as "no such person" would refuse people because of a typo in the settings."""
    if status == 404:
        if isinstance(body, dict) and body.get("error") == "not_found":
            raise NotFound(path)
        raise RegistryUnavailable("unexpected_status", "404 without the API's not_found answer")


# -- JSON -> contract dataclasses (KeyError / TypeError / ValueError mean "does not fit the API") ---------
def _text(data: dict, key: str, *, required: bool = True) -> str:
    value = data[key] if required else data.get(key, "")
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"{key} must be a string")
    # Stored in patient cards and printed: no control character (PostgreSQL cannot store a NUL) nor bidi
    # control (a name printed backwards), whatever the registry holds.
    return clean_text(value)


def _date(value) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError("dates must be strings")
    return date.fromisoformat(value)


def _health(data) -> None:
    if not isinstance(data, dict) or data.get("status") != "ok":
        raise ValueError("health status is not ok")


def _same_person(data: dict, iin: str) -> str:
    if _text(data, "iin") != iin:
        raise ValueError("the reply is about another IIN")
    return iin


def _person(data, iin: str) -> Person:
    if not isinstance(data, dict):
        raise TypeError("a person must be an object")
    sex = _text(data, "sex")
    if sex not in ("M", "F"):
        raise ValueError("sex must be M or F")
    birth_date = _date(data["birth_date"])
    if birth_date is None:
        raise ValueError("birth_date is required")
    return Person(
        iin=_same_person(data, iin),
        last_name=_text(data, "last_name"),
        first_name=_text(data, "first_name"),
        middle_name=_text(data, "middle_name", required=False),
        birth_date=birth_date,
        sex=sex,
        address=_text(data, "address", required=False),
        phone=_text(data, "phone", required=False),
        source=_text(data, "source"),
    )


def _attachment(data, iin: str) -> Attachment:
    if not isinstance(data, dict):
        raise TypeError("an attachment must be an object")
    attached = data["attached"]
    if not isinstance(attached, bool):
        raise TypeError("attached must be true or false")
    clinic_code = data.get("clinic_code") if attached else None
    if attached and not (isinstance(clinic_code, str) and clinic_code):
        raise ValueError("an attached person needs a clinic_code")
    district = data.get("district_number") if attached else None
    if district is not None and (not isinstance(district, int) or isinstance(district, bool)):
        raise TypeError("district_number must be an integer")
    if district is not None and to_int(district, minimum=1) is None:
        raise ValueError("district_number is out of range")
    return Attachment(
        iin=_same_person(data, iin),
        clinic_code=clinic_code,
        clinic_name=_text(data, "clinic_name", required=False) if attached else "",
        district_number=district,
        since=_date(data.get("since")) if attached else None,
        last_free_choice_on=_date(data.get("last_free_choice_on")),
        source=_text(data, "source"),
    )


def _register_status(data, iin: str, register: str) -> RegisterStatus:
    if not isinstance(data, dict):
        raise TypeError("a register status must be an object")
    if data["register"] != register:
        raise ValueError("the reply is about another register")
    registered = data["registered"]
    if not isinstance(registered, bool):
        raise TypeError("registered must be true or false")
    return RegisterStatus(
        iin=_same_person(data, iin),
        register=register,
        is_registered=registered,
        since=_date(data.get("since")) if registered else None,
        source=_text(data, "source"),
    )
