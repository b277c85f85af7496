"""Health checks (issue 15, item 3).

`quick()`, for /healthz and any monitoring probe: cheap and local. The database answers and its schema is
this code's (migrations current). Never a call outside the machine: a probe every few seconds must not trip
the registry's circuit breaker that real users depend on.

`deep()`, for /healthz/deep (admins): the quick checks, then the national registry (a live check through
its adapter), the SMS gateway (reachable, and the worker's queue: how many wait and for how long, how many
failed today) and the free disk space of the instance and backup folders.
"""

import logging
import shutil
import socket
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select, text

from app import notify
from app.core.clock import now
from app.extensions import db
from app.models import SmsMessage
from app.ops import backup
from app.registries import registry_health

log = logging.getLogger(__name__)

LOW_DISK_FRACTION = 0.10
LOW_DISK_BYTES = 1024**3
QUEUE_LATE = timedelta(minutes=15)
_heads: dict[str, str] = {}


def _head() -> str:
    """This code's newest migration, read from migrations/ once per process."""
    if "head" not in _heads:
        _heads["head"] = backup.revisions().head
    return _heads["head"]


def quick() -> tuple[dict, bool]:
    """({"status", "database", "migrations", ...}, healthy)."""
    report: dict = {"database": "ok"}
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            try:
                revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            except Exception:  # noqa: BLE001  (no such table: a database built without migrations)
                revision = None
    except Exception:  # noqa: BLE001  (any failure means "not ok"; the log has the detail)
        log.exception("health check: database unreachable")
        report.update(database="error", status="error")
        return report, False
    head = _head()
    report["schema"] = revision or "none"
    if revision is None:
        report["migrations"] = "unknown"
    elif revision == head:
        report["migrations"] = "current"
    else:
        report["migrations"] = "not_current"
        report["expected_schema"] = head
    healthy = report["migrations"] != "not_current"
    report["status"] = "ok" if healthy else "error"
    return report, healthy


def deep() -> tuple[dict, bool]:
    report, healthy = quick()
    if not healthy:
        return report, False
    report["registry"] = registry_health()
    report["sms"] = sms_health()
    report["disk"] = disk_health()
    problems = [
        name
        for name, part in (("registry", report["registry"]), ("sms", report["sms"]), ("disk", report["disk"]))
        if part.get("status") != "ok"
    ]
    report["status"] = "degraded" if problems else "ok"
    if problems:
        report["problems"] = problems
    return report, True


def sms_health() -> dict:
    backend = str(current_app.config.get("SMS_BACKEND") or "outbox")
    moment = now()
    queued, oldest = db.session.execute(
        select(func.count(SmsMessage.id), func.min(SmsMessage.created_at)).where(
            SmsMessage.status == "queued"
        )
    ).one()
    failed_today = db.session.scalar(
        select(func.count(SmsMessage.id)).where(
            SmsMessage.status == "failed", SmsMessage.created_at >= moment - timedelta(days=1)
        )
    )
    report = {
        "backend": backend,
        "status": "ok",
        "queued": queued,
        "oldest_queued_minutes": round((moment - oldest).total_seconds() / 60) if oldest else 0,
        "failed_last_24h": failed_today,
    }
    if oldest is not None and moment - oldest > QUEUE_LATE:
        report.update(status="late", reason="the SMS worker is not keeping up, or the gateway is down")
    if notify.delivers_externally():
        reachable = _reachable(str(current_app.config.get("SMS_HTTP_URL") or ""))
        report["gateway"] = reachable
        if reachable != "ok":
            report["status"] = "unavailable"
    return report


def _reachable(url: str) -> str:
    """A TCP connection to the gateway's host and port (no message is sent)."""
    parts = urlsplit(url)
    if not parts.hostname:
        return "not_configured"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    timeout = float(current_app.config.get("SMS_CONNECT_TIMEOUT", 2.0))
    started = time.monotonic()
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            pass
    except OSError as error:
        log.warning("health check: SMS gateway %s:%s unreachable (%s)", parts.hostname, port, error)
        return "unreachable"
    log.debug("SMS gateway reachable in %.0f ms", (time.monotonic() - started) * 1000)
    return "ok"


def disk_health() -> dict:
    folders = {"instance": Path(current_app.instance_path), "backups": backup.default_dir()}
    report: dict = {"status": "ok"}
    for name, folder in folders.items():
        existing = folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        usage = shutil.disk_usage(existing)
        low = usage.free < LOW_DISK_BYTES or usage.free < usage.total * LOW_DISK_FRACTION
        report[name] = {
            "path": str(folder),
            "free_mb": usage.free // 1024**2,
            "free_percent": round(100 * usage.free / usage.total, 1) if usage.total else 0,
            "status": "low" if low else "ok",
        }
        if low:
            report["status"] = "low"
    return report
