"""The Hospitalization Bureau over HTTP: JSON to the gateway described in docs/bureau-gateway.openapi.yaml.

The registries' promises (app.registries.http), for the Bureau: every transport failure, timeout, 5xx, garbled
reply, refused token and open circuit is BureauUnavailable (the referral waits in the queue staff retry); only
the API's own answers are final: "invalid" (422) is BureauRejected, "not_found" (404) TicketUnknown. Reads are
retried a bounded number of times on connection errors and 5xx; a submission is sent once (the gateway keys it
by the referral number, so the queue's retry may send it again safely). The transport is the shared
outside-service client (app.registries.client), as for the registry.
"""

import time
from collections.abc import Callable
from datetime import date

from app.core.inputs import clean_text
from app.registries.bureau import (
    BureauAnswer,
    BureauReceipt,
    BureauRejected,
    BureauUnavailable,
    ReferralPackage,
    TicketUnknown,
)
from app.registries.client import Breaker, JsonServiceClient


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
        breaker: Breaker | None = None,
    ):
        self.client = JsonServiceClient(
            "bureau gateway",
            base_url,
            token,
            unavailable=BureauUnavailable,
            answered=(BureauRejected, TicketUnknown),
            interpret=_interpret,
            ok_statuses=(200, 201),
            url_setting="BUREAU_URL",
            token_setting="BUREAU_TOKEN",
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries=retries,
            backoff=backoff,
            breaker=breaker,
            circuit_failures=circuit_failures,
            circuit_cooldown=circuit_cooldown,
            sleep=sleep,
        )

    @property
    def breaker(self) -> Breaker:
        return self.client.breaker

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
        data = self.client.call("POST", "/referrals", "submit", json=body)
        return self.client.accept(lambda: _receipt(data), "submit")

    def answer(self, ticket: str) -> BureauAnswer | None:
        data = self.client.call("GET", f"/referrals/{ticket}", "answer", retry=True)
        return self.client.accept(lambda: _answer(data, ticket), "answer")

    def check_connection(self) -> None:
        data = self.client.call("GET", "/health", "health")
        self.client.accept(lambda: _health(data), "health")


def _interpret(status: int, body, path: str) -> None:
    """The Bureau's own final answers: "not_found" (404) and "invalid" (422); anything else is no answer."""
    error = body.get("error") if isinstance(body, dict) else None
    if status == 404 and error == "not_found":
        raise TicketUnknown(path)
    if status == 422 and error == "invalid":
        raise BureauRejected(str(body.get("detail", "")))


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
