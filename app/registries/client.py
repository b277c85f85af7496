"""One HTTP client for the outside services Emhana calls with JSON: the national registries' gateway
(app.registries.http) and the Hospitalization Bureau's (app.registries.bureau_http).

What it promises the adapters, whatever the network does:
- timeouts on connecting and on reading (a `(connect, read)` pair for every request);
- every transport failure, timeout, 5xx, garbled reply, refused token, misconfiguration and open circuit is
  the adapter's own "unavailable" exception class, built as `unavailable(reason, detail)` (reasons: "timeout",
  "connection_error", "server_error", "malformed_response", "unauthorized", "circuit_open", "not_configured",
  "unexpected_status", "unexpected_error"); the service's own final answers (no such person, a package
  refused) are the adapter's to recognise, in `interpret(status, body, path)`, and prove the service up;
- calls the adapter marks `retry=True` (idempotent reads) are retried `retries` times on connection errors
  and 500/502/503/504, after `backoff`, 2x`backoff`, ... seconds. Timeouts are never retried: a service slow
  now is slow 250 ms later too, and the person at the desk would wait three times for the same outage.
  Writes go once (the services' queues retry them later; the gateways key them idempotently);
- the circuit breaker: after N failed calls in a row, calls fail at once for a cooldown, then one trial
  call decides;
- every failed attempt is logged (a warning with the service, the operation and the reason); a refused token
  is an error line naming the setting to check; a circuit opening and closing are logged once each.

The breaker's state is behind the small `Breaker` interface (`allow`, `record_success`, `record_failure`,
plus `force_trial`, `seconds_until_trial` and `state` for admins' checks and health reports):
`CircuitBreaker` keeps it in this process, or, given `shared` (app.registries.shared.SharedCircuit), in the
database, where a failure counts for every process and host (docs/scaling.md).
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

import requests

log = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})


class Breaker(Protocol):
    """Where a circuit's state lives. Calls ask `allow()` first and report how they ended."""

    @property
    def state(self) -> str:
        """ "closed", "open" or "half_open"."""

    def allow(self) -> bool:
        """May a call go out now? (Half-open: one trial call at a time.)"""

    def record_success(self) -> None: ...

    def record_failure(self) -> None: ...

    def force_trial(self) -> None:
        """An admin's explicit check goes out even while the circuit is open."""

    def seconds_until_trial(self) -> float: ...


class CircuitBreaker:
    """closed -> (N failures in a row) -> open -> (cooldown) -> half_open -> one trial -> closed | open.
    The state is this process's (each gunicorn worker has its own) unless it is `shared`."""

    def __init__(
        self,
        failure_threshold: int,
        cooldown: float,
        clock: Callable[[], float] = time.monotonic,
        *,
        name: str = "registry gateway",
        shared=None,
    ):
        self.failure_threshold = max(1, failure_threshold)
        self.cooldown = cooldown
        self.name = name
        # Shared between processes (app.registries.shared.SharedCircuit): on its wall clock, read before each
        # decision and written after each change. The half-open trial stays one per process.
        self._shared = shared
        self._clock = shared.clock if shared is not None else clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    def _pull(self) -> None:
        if self._shared is None:
            return
        loaded = self._shared.load()
        if loaded is not None:
            self._failures, self._opened_at = loaded

    def _push(self) -> None:
        if self._shared is not None:
            self._shared.save(self._failures, self._opened_at)

    @property
    def state(self) -> str:
        with self._lock:
            self._pull()
            return self._state()

    def _state(self) -> str:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.cooldown:
            return "half_open"
        return "open"

    def seconds_until_trial(self) -> float:
        with self._lock:
            self._pull()
            if self._opened_at is None:
                return 0.0
            return max(0.0, self.cooldown - (self._clock() - self._opened_at))

    def allow(self) -> bool:
        with self._lock:
            self._pull()
            state = self._state()
            if state == "closed":
                return True
            if state == "half_open" and not self._trial_running:
                self._trial_running = True
                return True
            return False

    def force_trial(self) -> None:
        with self._lock:
            self._trial_running = True

    def record_success(self) -> None:
        with self._lock:
            self._pull()
            changed = self._failures != 0 or self._opened_at is not None
            if self._opened_at is not None:
                log.info("%s: circuit closed again", self.name)
            self._failures = 0
            self._opened_at = None
            self._trial_running = False
            if changed:
                self._push()

    def record_failure(self) -> None:
        with self._lock:
            self._pull()
            self._failures += 1
            reopening = self._trial_running and self._opened_at is not None
            self._trial_running = False
            if reopening or self._failures >= self.failure_threshold:
                if self._opened_at is None or reopening:
                    log.warning(
                        "%s: circuit open for %.0f s after %d failures",
                        self.name,
                        self.cooldown,
                        self._failures,
                    )
                self._opened_at = self._clock()
            self._push()


class _Retryable(Exception):
    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


class JsonServiceClient:
    """JSON over HTTP(S) with a bearer token to one outside service, with the promises above.

    `unavailable` is the adapter's outage exception class, built as `unavailable(reason, detail)`;
    `answered` are the exception types of the service's own final answers, which prove it up;
    `interpret(status, body, path)` sees every reply whose status is not in `ok_statuses` first and raises
    those answers (or an outage of its own); `url_setting` and `token_setting` name the settings in
    messages."""

    def __init__(
        self,
        service: str,
        base_url: str,
        token: str,
        *,
        unavailable: type[Exception],
        answered: tuple[type[Exception], ...] = (),
        interpret: Callable[[int, object, str], None] | None = None,
        ok_statuses: tuple[int, ...] = (200,),
        url_setting: str = "the service's URL",
        token_setting: str = "the service's token",
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
        retries: int = 2,
        backoff: float = 0.25,
        breaker: Breaker | None = None,
        circuit_failures: int = 5,
        circuit_cooldown: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.service = service
        self.base_url = (base_url or "").rstrip("/")
        self._token = token or ""
        self.unavailable = unavailable
        self.answered = answered
        self.interpret = interpret
        self.ok_statuses = ok_statuses
        self.url_setting = url_setting
        self.token_setting = token_setting
        self.timeout = (float(connect_timeout), float(read_timeout))
        self.retries = max(0, int(retries))
        self.backoff = float(backoff)
        self.breaker: Breaker = breaker or CircuitBreaker(
            int(circuit_failures), float(circuit_cooldown), name=service
        )
        self._sleep = sleep
        # requests.Session is not documented as thread-safe; one per thread keeps keep-alive without sharing.
        self._local = threading.local()

    def call(
        self,
        method: str,
        path: str,
        operation: str,
        *,
        retry: bool = False,
        json=None,
        use_breaker: bool = True,
    ):
        """The decoded JSON of an OK reply; the service's own answer (raised); or the outage exception after
        the allowed attempts. `retry=True` only for idempotent calls."""
        if not self.base_url:
            raise self.unavailable("not_configured", f"{self.url_setting} is empty")
        if use_breaker and not self.breaker.allow():
            raise self.unavailable("circuit_open", f"next try in {self.breaker.seconds_until_trial():.0f} s")
        attempts = 1 + self.retries if retry else 1
        error = self.unavailable("unavailable", "")
        for attempt in range(1, attempts + 1):
            retryable = False
            try:
                return self._attempt(method, path, json)
            except self.answered:
                self.breaker.record_success()  # the service answered: it is up
                raise
            except _Retryable as failure:
                error, retryable = failure.error, True
            except self.unavailable as failure:
                error = failure
            except Exception as failure:  # noqa: BLE001  (services must never see a transport error)
                log.exception("%s: %s failed unexpectedly", self.service, operation)
                error = self.unavailable("unexpected_error", type(failure).__name__)
            will_retry = retryable and attempt < attempts
            log.warning(
                "%s: %s failed (%s), attempt %d of %d%s",
                self.service,
                operation,
                getattr(error, "reason", ""),
                attempt,
                attempts,
                ", retrying" if will_retry else "",
            )
            if not will_retry:
                break
            self._sleep(self.backoff * 2 ** (attempt - 1))
        self.breaker.record_failure()
        raise error

    def accept(self, parse: Callable[[], object], operation: str):
        """Only a reply that fits the API counts as the service working; anything else is no reply."""
        try:
            value = parse()
        except (KeyError, TypeError, ValueError) as error:
            self.breaker.record_failure()
            log.warning("%s: %s reply does not fit the API: %s", self.service, operation, error)
            raise self.unavailable("malformed_response", str(error)) from None
        self.breaker.record_success()
        return value

    def _attempt(self, method: str, path: str, json):
        headers = {"Accept": "application/json", "Authorization": f"Bearer {self._token}"}
        try:
            response = self._session().request(
                method, self.base_url + path, json=json, headers=headers, timeout=self.timeout
            )
        except requests.Timeout as timeout:
            raise self.unavailable("timeout", type(timeout).__name__) from None
        except requests.ConnectionError as failure:
            raise _Retryable(self.unavailable("connection_error", type(failure).__name__)) from None
        except requests.RequestException as failure:
            raise self.unavailable("connection_error", type(failure).__name__) from None
        status = response.status_code
        if status in self.ok_statuses:
            return self._json_body(response)
        if self.interpret is not None:
            self.interpret(status, self._json_body(response, required=False), path)
        if status in (401, 403):
            log.error("%s refused our token (HTTP %s): check %s", self.service, status, self.token_setting)
            raise self.unavailable("unauthorized", str(status))
        if status in RETRYABLE_STATUSES:
            raise _Retryable(self.unavailable("server_error", str(status)))
        if status >= 500:
            raise self.unavailable("server_error", str(status))
        raise self.unavailable("unexpected_status", str(status))

    def _json_body(self, response: requests.Response, *, required: bool = True):
        try:
            return response.json()
        except ValueError:
            if not required:
                return None
            raise self.unavailable("malformed_response", "not JSON") from None

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            # The environment's proxy and CA settings apply (REQUESTS_CA_BUNDLE for a clinic's own CA).
            session = requests.Session()
            self._local.session = session
        return session
