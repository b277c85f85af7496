"""Electronic signatures on issued documents: the contract and the adapter chosen by SIGNING_BACKEND.

    from app.signing import get_signer, SignerUnavailable, check_pdf

    try:
        signed = get_signer().sign_pdf(pdf, signing_time=now())   # PAdES, one signature appended
    except SignerUnavailable as error:
        ...  # error.reason: keep the document in the signing queue (app.services.document_signing)

    check_pdf(pdf) -> SignatureCheck   # integrity, signer certificate, signing time; never raises

SIGNING_BACKEND=local (default): the clinic's PKCS#12 key file (app.signing.local, app.signing.keys).
SIGNING_BACKEND=http: an external signing service (app.signing.http; its API in docs/signing.md).
The document engine (app.services.documents.issue_document) is the only caller that signs: every document
kind comes out signed without any code in the service that issues it.
"""

import logging
from pathlib import Path

from flask import current_app

from app.signing.contract import REASONS, CertificateInfo, DocumentSigner, SignerUnavailable, certificate_info
from app.signing.http import HttpSigner
from app.signing.keys import (
    KEY_TYPES,
    KeyFileError,
    generate_key_file,
    import_key_file,
    key_password,
)
from app.signing.local import Pkcs12Signer
from app.signing.pades import SignatureCheck
from app.signing.pades import check as check_pdf

log = logging.getLogger(__name__)

BACKENDS = ("local", "http")
_EXTENSION_KEY = "emhana_signer"

__all__ = [
    "BACKENDS",
    "KEY_TYPES",
    "REASONS",
    "CertificateInfo",
    "DocumentSigner",
    "HttpSigner",
    "KeyFileError",
    "Pkcs12Signer",
    "SignatureCheck",
    "SignerUnavailable",
    "certificate_info",
    "check_pdf",
    "generate_key_file",
    "get_signer",
    "import_key_file",
    "key_file_path",
    "key_password",
    "signer_health",
]


def key_file_path(app=None) -> Path:
    app = app or current_app
    configured = app.config.get("SIGNING_KEY_FILE") or ""
    return Path(configured) if configured else Path(app.instance_path) / "signing" / "clinic.p12"


def _settings(app) -> tuple:
    config = app.config
    backend = str(config.get("SIGNING_BACKEND") or "local").strip().lower()
    tsa = (str(config.get("SIGNING_TSA_URL") or ""), float(config.get("SIGNING_TSA_TIMEOUT", 5.0)))
    if backend == "local":
        return (backend, str(key_file_path(app)), key_password(config), *tsa)
    return (
        backend,
        str(config.get("SIGNING_HTTP_URL") or ""),
        str(config.get("SIGNING_HTTP_TOKEN") or ""),
        float(config.get("SIGNING_CONNECT_TIMEOUT", 2.0)),
        float(config.get("SIGNING_READ_TIMEOUT", 10.0)),
        int(config.get("SIGNING_CIRCUIT_FAILURES", 3)),
        float(config.get("SIGNING_CIRCUIT_COOLDOWN", 30.0)),
        *tsa,
    )


def _build(settings: tuple) -> DocumentSigner:
    backend = settings[0]
    if backend == "local":
        _, path, password, tsa_url, tsa_timeout = settings
        return Pkcs12Signer(Path(path), password, tsa_url=tsa_url, tsa_timeout=tsa_timeout)
    if backend == "http":
        url, token, connect, read, failures, cooldown, tsa_url, tsa_timeout = settings[1:]
        return HttpSigner(
            url,
            token,
            connect_timeout=connect,
            read_timeout=read,
            circuit_failures=failures,
            circuit_cooldown=cooldown,
            tsa_url=tsa_url,
            tsa_timeout=tsa_timeout,
        )
    raise ValueError(f"SIGNING_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")


def get_signer() -> DocumentSigner:
    """The adapter for this app's settings, one per app (its loaded key, its circuit breaker); a change of
    settings (tests do it) builds a new one. A setting that cannot work is SignerUnavailable("config")."""
    app = current_app._get_current_object()
    try:
        settings = _settings(app)
        held = app.extensions.get(_EXTENSION_KEY)
        if held is None or held[0] != settings:
            held = (settings, _build(settings))
            app.extensions[_EXTENSION_KEY] = held
    except ValueError as error:
        raise SignerUnavailable("config", str(error)) from error
    return held[1]


def signer_health() -> dict:
    """{"backend", "status": "ok" | "unavailable", "reason", "certificate": CertificateInfo | None}.
    Never raises: the admin page must render whatever state the key or the service is in."""
    backend = str(current_app.config.get("SIGNING_BACKEND") or "local")
    report: dict = {"backend": backend, "status": "ok", "reason": "", "certificate": None}
    try:
        signer = get_signer()
        signer.check()
        report["certificate"] = signer.certificate()
    except SignerUnavailable as error:
        report.update(status="unavailable", reason=error.reason)
    except Exception:  # noqa: BLE001  (a health report must never fail)
        log.exception("signing health: %s backend check failed", backend)
        report.update(status="unavailable", reason="config")
    return report
