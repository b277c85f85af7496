"""The Hospitalization Bureau for services: the contract (app.registries.bureau) and the adapter chosen by
BUREAU_BACKEND: "embedded" (default; staff type the Bureau's answer) or "http" (the gateway at BUREAU_URL,
app.registries.bureau_http, described in docs/bureau-gateway.openapi.yaml)."""

from flask import current_app

from app.registries.bureau import (
    BureauAnswer,
    BureauError,
    BureauReceipt,
    BureauRejected,
    BureauUnavailable,
    EmbeddedBureau,
    HospitalizationBureau,
    ReferralPackage,
    TicketUnknown,
)
from app.registries.bureau_http import HttpBureau

BACKENDS = ("embedded", "http")
_EXTENSION_KEY = "emhana_bureau"

__all__ = [
    "BACKENDS",
    "BureauAnswer",
    "BureauError",
    "BureauReceipt",
    "BureauRejected",
    "BureauUnavailable",
    "EmbeddedBureau",
    "HospitalizationBureau",
    "HttpBureau",
    "ReferralPackage",
    "TicketUnknown",
    "get_bureau",
]


def _settings(config) -> tuple:
    backend = str(config.get("BUREAU_BACKEND") or "embedded").strip().lower()
    if backend == "embedded":
        return (backend,)
    return (
        backend,
        config.get("BUREAU_URL") or "",
        config.get("BUREAU_TOKEN") or "",
        float(config.get("BUREAU_CONNECT_TIMEOUT", 2.0)),
        float(config.get("BUREAU_READ_TIMEOUT", 5.0)),
        int(config.get("BUREAU_RETRIES", 2)),
        int(config.get("BUREAU_CIRCUIT_FAILURES", 5)),
        float(config.get("BUREAU_CIRCUIT_COOLDOWN", 30.0)),
    )


def _build(settings: tuple) -> HospitalizationBureau:
    backend = settings[0]
    if backend == "embedded":
        return EmbeddedBureau()
    if backend == "http":
        url, token, connect, read, retries, failures, cooldown = settings[1:]
        return HttpBureau(
            url,
            token,
            connect_timeout=connect,
            read_timeout=read,
            retries=retries,
            circuit_failures=failures,
            circuit_cooldown=cooldown,
        )
    raise ValueError(f"BUREAU_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")


def get_bureau() -> HospitalizationBureau:
    """The adapter for this app's settings, one per app (its circuit breaker is shared)."""
    app = current_app._get_current_object()
    settings = _settings(app.config)
    held = app.extensions.get(_EXTENSION_KEY)
    if held is None or held[0] != settings:
        held = (settings, _build(settings))
        app.extensions[_EXTENSION_KEY] = held
    return held[1]
