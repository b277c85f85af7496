"""The external signer adapter: an HTTP signing service holding the clinic's key (an HSM, a national CA's
NCALayer-like bridge to GOST keys). Only the bytes to be signed travel: pyHanko builds the PAdES signature
here, the service signs the CMS signed attributes (a hash of the PDF, the signing time, the certificate
reference), so no document, name or diagnosis ever leaves the clinic.

The service's API (docs/signing.md):
    GET  {url}/certificate   -> {"certificate": base64 DER, "chain": [base64 DER, ...]}
    POST {url}/sign          {"digest_algorithm": "sha256", "data": base64}  -> {"signature": base64}
    Authorization: Bearer {token}

Promises, whatever the network does: every timeout, refused connection, non-200, garbled reply and open
circuit is SignerUnavailable (with a reason); calls are never retried here (the signing queue retries
later); after `circuit_failures` failures in a row the circuit opens for `circuit_cooldown` seconds, so a
dead service costs issuing one quick "queued" instead of a timeout per document.
"""

import base64
import binascii
import logging
import threading
import time
from datetime import datetime

import requests
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from app.registries.client import CircuitBreaker
from app.signing import pades
from app.signing.contract import CertificateInfo, DocumentSigner, SignerUnavailable, certificate_info

log = logging.getLogger(__name__)

CERTIFICATE_CACHE_SECONDS = 300.0


class _RemoteRawSigner(signers.Signer):
    """pyHanko's Signer whose raw signature comes from the HTTP service."""

    def __init__(self, adapter: "HttpSigner", certificate: asn1_x509.Certificate, chain: list):
        super().__init__(signing_cert=certificate, cert_registry=SimpleCertificateStore.from_certs(chain))
        self._adapter = adapter

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        return self._adapter.sign_raw(data, digest_algorithm)


class HttpSigner(DocumentSigner):
    name = "http"

    def __init__(
        self,
        url: str,
        token: str = "",
        *,
        connect_timeout: float = 2.0,
        read_timeout: float = 10.0,
        circuit_failures: int = 3,
        circuit_cooldown: float = 30.0,
        tsa_url: str = "",
        tsa_timeout: float = 5.0,
    ):
        if not url.startswith(("http://", "https://")):
            raise ValueError("SIGNING_HTTP_URL must be an http(s) URL")
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = (connect_timeout, read_timeout)
        self.tsa_url = tsa_url
        self.tsa_timeout = tsa_timeout
        self.circuit = CircuitBreaker(circuit_failures, circuit_cooldown, name="external signer")
        self._session = requests.Session()
        self._lock = threading.Lock()
        self._certificate: tuple[float, _RemoteRawSigner, CertificateInfo] | None = None

    @property
    def circuit_state(self) -> str:
        return self.circuit.state

    # -- the contract ------------------------------------------------------------------------------------
    def certificate(self) -> CertificateInfo:
        return self._signer()[1]

    def sign_pdf(self, pdf: bytes, *, signing_time: datetime) -> bytes:
        signer, info = self._signer()
        if not info.valid_at(signing_time):
            raise SignerUnavailable("expired", f"certificate valid {info.not_before} .. {info.not_after}")
        try:
            return pades.sign(
                pdf, signer, signing_time=signing_time, tsa_url=self.tsa_url, tsa_timeout=self.tsa_timeout
            )
        except SignerUnavailable:
            raise
        except Exception as error:  # pyHanko wraps what async_sign_raw raised
            cause = _unavailable_in(error)
            if cause is not None:
                raise cause from error
            raise

    def check(self) -> None:
        self.circuit.force_trial()
        with self._lock:
            self._certificate = None
        self._signer()

    # -- HTTP ------------------------------------------------------------------------------------------
    def _signer(self) -> tuple[_RemoteRawSigner, CertificateInfo]:
        with self._lock:
            held = self._certificate
            if held is not None and time.monotonic() - held[0] < CERTIFICATE_CACHE_SECONDS:
                return held[1], held[2]
        reply = self._call("GET", "/certificate")
        try:
            der = base64.b64decode(reply["certificate"], validate=True)
            chain = [
                asn1_x509.Certificate.load(base64.b64decode(c, validate=True)) for c in reply.get("chain", [])
            ]
            info = certificate_info(x509.load_der_x509_certificate(der))
            signer = pades.prepare(_RemoteRawSigner(self, asn1_x509.Certificate.load(der), chain))
        except (KeyError, TypeError, ValueError, binascii.Error) as error:
            self.circuit.record_failure()
            raise SignerUnavailable("bad_reply", "the certificate reply cannot be read") from error
        with self._lock:
            self._certificate = (time.monotonic(), signer, info)
        return signer, info

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        reply = self._call(
            "POST",
            "/sign",
            json={"digest_algorithm": digest_algorithm, "data": base64.b64encode(data).decode()},
        )
        try:
            signature = base64.b64decode(reply["signature"], validate=True)
        except (KeyError, TypeError, ValueError, binascii.Error) as error:
            self.circuit.record_failure()
            raise SignerUnavailable("bad_reply", "the signature reply cannot be read") from error
        if not signature:
            self.circuit.record_failure()
            raise SignerUnavailable("bad_reply", "an empty signature")
        return signature

    def _call(self, method: str, path: str, json: dict | None = None) -> dict:
        if not self.circuit.allow():
            raise SignerUnavailable(
                "circuit_open", f"{self.circuit.seconds_until_trial():.0f} s to the next try"
            )
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = self._session.request(
                method, self.url + path, json=json, headers=headers, timeout=self.timeout
            )
        except requests.Timeout as error:
            self._failed("timeout", path)
            raise SignerUnavailable("timeout", path) from error
        except requests.RequestException as error:
            self._failed("connection", path)
            raise SignerUnavailable("connection", type(error).__name__) from error
        if response.status_code != 200:
            self._failed("bad_reply", f"{path} HTTP {response.status_code}")
            raise SignerUnavailable("bad_reply", f"HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as error:
            self._failed("bad_reply", f"{path} not JSON")
            raise SignerUnavailable("bad_reply", "not JSON") from error
        if not isinstance(body, dict):
            self._failed("bad_reply", f"{path} not an object")
            raise SignerUnavailable("bad_reply", "not a JSON object")
        self.circuit.record_success()
        return body

    def _failed(self, reason: str, detail: str) -> None:
        log.warning("external signer %s: %s (%s)", self.url, reason, detail)
        self.circuit.record_failure()


def _unavailable_in(error: BaseException) -> SignerUnavailable | None:
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, SignerUnavailable):
            return error
        error = error.__cause__ or error.__context__
        seen += 1
    return None
