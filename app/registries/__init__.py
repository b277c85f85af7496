"""Access to the national registries: the contract and the adapter chosen by REGISTRY_BACKEND.

    from app.registries import get_registry, NotFound, RegistryUnavailable

    registry = get_registry()
    try:
        person = registry.find_person(iin)
    except NotFound:
        ...  # the registry answered: no such person
    except RegistryUnavailable:
        ...  # no answer now: keep the request in "awaiting_registry" (app.services.registry_pending)

REGISTRY_BACKEND=local (default): the embedded local registry in the app database.
REGISTRY_BACKEND=http: the gateway at REGISTRY_URL (see app.registries.http and docs/).
"""

import hashlib
import logging
import time

from flask import current_app

from app.extensions import db
from app.registries.contract import (
    REGISTERS,
    Attachment,
    NationalRegistry,
    NotFound,
    Person,
    Register,
    RegisterStatus,
    RegistryError,
    RegistryUnavailable,
)
from app.registries.http import HttpRegistry
from app.registries.local import LocalRegistry
from app.registries.shared import DatabaseState, SharedCacheVersion, SharedCircuit

log = logging.getLogger(__name__)

BACKENDS = ("local", "http")
_EXTENSION_KEY = "emhana_registry"

__all__ = [
    "BACKENDS",
    "REGISTERS",
    "Attachment",
    "NationalRegistry",
    "NotFound",
    "Person",
    "Register",
    "RegisterStatus",
    "RegistryError",
    "RegistryUnavailable",
    "get_registry",
    "registry_health",
]


def _settings(config) -> tuple:
    backend = str(config.get("REGISTRY_BACKEND") or "local").strip().lower()
    if backend == "local":
        return (backend, config.get("REGISTRY_SOURCE_NAME") or "")
    return (
        backend,
        config.get("REGISTRY_URL") or "",
        config.get("REGISTRY_TOKEN") or "",
        float(config.get("REGISTRY_CONNECT_TIMEOUT", 2.0)),
        float(config.get("REGISTRY_READ_TIMEOUT", 5.0)),
        int(config.get("REGISTRY_RETRIES", 2)),
        float(config.get("REGISTRY_RETRY_BACKOFF", 0.25)),
        int(config.get("REGISTRY_CIRCUIT_FAILURES", 5)),
        float(config.get("REGISTRY_CIRCUIT_COOLDOWN", 30.0)),
        float(config.get("REGISTRY_CACHE_SECONDS", 60.0)),
    )


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _build(settings: tuple) -> NationalRegistry:
    backend = settings[0]
    if backend == "local":
        return LocalRegistry(source=settings[1] or None)
    if backend == "http":
        url, token, connect, read, retries, backoff, failures, cooldown, cache, shared = settings[1:]
        # On PostgreSQL every process and host shares the circuit and the cache's version
        # (app/registries/shared.py). Not on SQLite: its one writer at a time would make the shared write
        # wait for the request's own open transaction (one machine only; each process keeps its own state).
        state = DatabaseState(lambda: db.engine)
        return HttpRegistry(
            url,
            token,
            connect_timeout=connect,
            read_timeout=read,
            retries=retries,
            backoff=backoff,
            circuit_failures=failures,
            circuit_cooldown=cooldown,
            cache_seconds=cache,
            # The circuit is the address's: a gateway moved to a new address starts closed.
            shared_circuit=SharedCircuit(state, f"registry:{_short_hash(url)}") if shared else None,
            shared_cache_version=SharedCacheVersion(state, "registry") if shared else None,
        )
    raise ValueError(f"REGISTRY_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")


def get_registry() -> NationalRegistry:
    """The adapter for this app's settings. One instance per app, so the circuit breaker and the cache are
    shared by every request of the process; a change of settings (tests do it) builds a new one."""
    app = current_app._get_current_object()
    settings = _settings(app.config)
    if settings[0] == "http":
        settings = (*settings, db.engine.dialect.name == "postgresql")
    held = app.extensions.get(_EXTENSION_KEY)
    if held is None or held[0] != settings:
        held = (settings, _build(settings))
        app.extensions[_EXTENSION_KEY] = held
    return held[1]


def registry_health(*, force: bool = False) -> dict:
    """{"backend", "status": "ok" | "unavailable", ...} from a live check. Never raises: /healthz and the
    admin page must render whatever state the registry (or its settings) is in."""
    backend = str(current_app.config.get("REGISTRY_BACKEND") or "local")
    report: dict = {"backend": backend, "status": "ok"}
    started = time.monotonic()
    registry = None
    try:
        registry = get_registry()
        registry.check_connection(force=force)
    except RegistryUnavailable as error:
        log.warning("registry health: %s backend unavailable (%s)", backend, error.reason)
        report.update(status="unavailable", reason=error.reason)
    except ValueError as error:
        log.error("registry health: %s", error)
        report.update(status="unavailable", reason="config")
    except Exception:  # noqa: BLE001  (a health report must never fail)
        log.exception("registry health: %s backend check failed", backend)
        report.update(status="unavailable", reason="error")
    else:
        report["latency_ms"] = round((time.monotonic() - started) * 1000)
    circuit = getattr(registry, "circuit_state", None)
    if circuit is not None:
        report["circuit"] = circuit
    return report
