"""The Hospitalization Bureau over HTTP: JSON to the gateway described in docs/bureau-gateway.openapi.yaml.

The registries' promises (app.registries.http), for the Bureau: every transport failure, timeout, 5xx, garbled
reply, refused token and open circuit is BureauUnavailable (the referral waits in the queue staff retry); only
the API's own answers are final: "invalid" (422) is BureauRejected, "not_found" (404) TicketUnknown. Reads are
retried a bounded number of times on connection errors and 5xx; a submission is sent once (the gateway keys it
by the referral number, so the queue's retry may send it again safely).
"""

import logging
import threading
import time
from collections.abc import Callable
from datetime import date

import requests

from app.core.inputs import clean_text
from app.registries.bureau import (
    BureauAnswer,
    BureauReceipt,
    BureauRejected,
    BureauUnavailable,
    ReferralPackage,
    TicketUnknown,
)
from app.registries.http import RETRYABLE_STATUSES, CircuitBreaker

log = logging.getLogger(__name__)


class _Retryable(Exception):
    def __init__(self, error: BureauUnavailable):
        super().__init__(error.reason)
        self.error = error


class HttpBureau:
    name = "http"
    answers_by_itself = True

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
        retries: int = 2,
        backoff: float = 0.1,
        circuit_failures: int = 5,
        circuit_cooldown: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = (base_url or "").rstrip("/")
        self._token = token or ""
        self.timeout = (float(connect_timeout), float(read_timeout))
        self.retries = max(0, int(retries))
        self.backoff = float(backoff)
        self.breaker = CircuitBreaker(int(circuit_failures), float(circuit_cooldown))
        self._sleep = sleep
        self._local = threading.local()

    # -- the contract ------------------------------------------------------------------------------------
    def submit(self, package: ReferralPackage) -> BureauReceipt:
        problems = package.problems()
        if problems:
            raise BureauRejected(", ".join(problems))
        body = {
            "referral_number": package.referral_number,
            "iin": package.iin,
            "full_name": package.full_name,
            "birth_date": package.birth_date.isoformat(),
            "diagnosis_code": package.diagnosis_code,
            "profile": package.profile,
            "preferred_hospital": package.preferred_hospital,
            "clinic_code": package.clinic_code,
        }
        data = self._call("POST", "/referrals", "submit", json=body, attempts=1)
        return self._accept(lambda: _receipt(data), "submit")

    def answer(self, ticket: str) -> BureauAnswer | None:
        data = self._call("GET", f"/referrals/{ticket}", "answer", attempts=1 + self.retries)
        return self._accept(lambda: _answer(data, ticket), "answer")

    def check_connection(self) -> None:
        data = self._call("GET", "/health", "health", attempts=1)
        self._accept(lambda: _health(data), "health")

    # -- transport ---------------------------------------------------------------------------------------
    def _accept(self, parse, operation: str):
        try:
            value = parse()
        except (KeyError, TypeError, ValueError) as error:
            self.breaker.record_failure()
            log.warning("bureau gateway: %s reply does not fit the API: %s", operation, error)
            raise BureauUnavailable("malformed_response", str(error)) from None
        self.breaker.record_success()
        return value

    def _call(self, method: str, path: str, operation: str, *, attempts: int, json=None):
        if not self.base_url:
            raise BureauUnavailable("not_configured", "BUREAU_URL is empty")
        if not self.breaker.allow():
            raise BureauUnavailable("circuit_open", f"next try in {self.breaker.seconds_until_trial():.0f} s")
        error = BureauUnavailable("unavailable")
        for attempt in range(1, attempts + 1):
            retryable = False
            try:
                return self._attempt(method, path, json)
            except (BureauRejected, TicketUnknown):
                self.breaker.record_success()  # the Bureau answered: it is up
                raise
            except _Retryable as failure:
                error, retryable = failure.error, True
            except BureauUnavailable as failure:
                error = failure
            except Exception as unexpected:  # noqa: BLE001  (services must never see a transport error)
                log.exception("bureau gateway: %s failed unexpectedly", operation)
                error = BureauUnavailable("unexpected_error", type(unexpected).__name__)
            will_retry = retryable and attempt < attempts
            log.warning(
                "bureau gateway: %s failed (%s), attempt %d of %d%s",
                operation,
                error.reason,
                attempt,
                attempts,
                ", retrying" if will_retry else "",
            )
            if not will_retry:
                break
            self._sleep(self.backoff * 2 ** (attempt - 1))
        self.breaker.record_failure()
        raise error

    def _attempt(self, method: str, path: str, json):
        headers = {"Accept": "application/json", "Authorization": f"Bearer {self._token}"}
        try:
            response = self._session().request(
                method, self.base_url + path, json=json, headers=headers, timeout=self.timeout
            )
        except requests.Timeout as timeout:
            raise BureauUnavailable("timeout", type(timeout).__name__) from None
        except requests.ConnectionError as failure:
            raise _Retryable(BureauUnavailable("connection_error", type(failure).__name__)) from None
        except requests.RequestException as failure:
            raise BureauUnavailable("connection_error", type(failure).__name__) from None
        status = response.status_code
        if status in (200, 201):
            return _json_body(response)
        body = _json_body(response, required=False)
        error = body.get("error") if isinstance(body, dict) else None
        if status == 404 and error == "not_found":
            raise TicketUnknown(path)
        if status == 422 and error == "invalid":
            raise BureauRejected(str(body.get("detail", "")))
        if status in (401, 403):
            log.error("bureau gateway refused our token (HTTP %s): check BUREAU_TOKEN", status)
            raise BureauUnavailable("unauthorized", str(status))
        if status in RETRYABLE_STATUSES:
            raise _Retryable(BureauUnavailable("server_error", str(status)))
        if status >= 500:
            raise BureauUnavailable("server_error", str(status))
        raise BureauUnavailable("unexpected_status", str(status))

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            self._local.session = session
        return session


def _json_body(response: requests.Response, *, required: bool = True):
    try:
        return response.json()
    except ValueError:
        if not required:
            return None
        raise BureauUnavailable("malformed_response", "not JSON") from None


def _text(data: dict, key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise TypeError(f"{key} must be a string")
    return clean_text(value)


def _receipt(data) -> BureauReceipt:
    if not isinstance(data, dict):
        raise TypeError("a receipt must be an object")
    ticket = _text(data, "ticket")
    if not ticket or len(ticket) > 60:
        raise ValueError("ticket must be 1 to 60 characters")
    return BureauReceipt(ticket=ticket, source=_text(data, "source"))


def _answer(data, ticket: str) -> BureauAnswer | None:
    if not isinstance(data, dict):
        raise TypeError("a referral must be an object")
    if _text(data, "ticket") != ticket:
        raise ValueError("the reply is about another ticket")
    status = _text(data, "status")
    if status == "pending":
        return None
    if status != "dated":
        raise ValueError("status must be pending or dated")
    code, hospital = _text(data, "referral_code"), _text(data, "hospital")
    if not code or not hospital or len(code) > 60 or len(hospital) > 300:
        raise ValueError("a dated referral needs its code and hospital")
    return BureauAnswer(
        ticket=ticket,
        referral_code=code,
        hospital=hospital,
        hospitalization_date=date.fromisoformat(_text(data, "hospitalization_date")),
        source=_text(data, "source"),
    )


def _health(data) -> None:
    if not isinstance(data, dict) or data.get("status") != "ok":
        raise ValueError("health status is not ok")
