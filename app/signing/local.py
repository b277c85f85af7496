"""The embedded signer: the clinic's PKCS#12 key file in the instance folder, signing with pyHanko."""

import threading
from datetime import datetime
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from app.signing import pades
from app.signing.contract import CertificateInfo, DocumentSigner, SignerUnavailable, certificate_info
from app.signing.keys import load_key_file


class _LoadedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner parses its private key again for every signature; for an RSA key that check
    costs more than the rest of the signing (about 100 ms of CPU for RSA-3072). Here the key is parsed once,
    with the key file. Mechanisms other than PKCS#1 v1.5 and ECDSA take pyHanko's own path."""

    def __init__(self, *, private_key, **kwargs):
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)["algorithm"].native
        algorithm = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism.endswith("_rsa") or mechanism == "rsassa_pkcs1v15":
            return self._private_key.sign(data, PKCS1v15(), algorithm)
        if mechanism.endswith("_ecdsa") or mechanism == "ecdsa":
            return self._private_key.sign(data, ECDSA(algorithm))
        return super().sign_raw(data, digest_algorithm)


class Pkcs12Signer(DocumentSigner):
    """Signs with the key file at `path`. The file is read again when it changes (an import, a new demo
    key), so a running app picks up a new key without a restart."""

    name = "local"

    def __init__(self, path: Path, password: bytes, *, tsa_url: str = "", tsa_timeout: float = 5.0):
        self.path = Path(path)
        self._password = password
        self.tsa_url = tsa_url
        self.tsa_timeout = tsa_timeout
        self._lock = threading.Lock()
        self._loaded: tuple | None = None  # (mtime_ns, size), pyHanko signer, CertificateInfo

    def _load(self) -> tuple[signers.SimpleSigner, CertificateInfo]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            raise SignerUnavailable("no_key", str(self.path)) from None
        version = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if self._loaded is None or self._loaded[0] != version:
                key, certificate, chain = load_key_file(self.path, self._password)
                signer = _LoadedKeySigner(
                    private_key=key,
                    signing_cert=asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER)),
                    signing_key=asn1_keys.PrivateKeyInfo.load(
                        key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
                    ),
                    cert_registry=SimpleCertificateStore.from_certs(
                        [asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in chain]
                    ),
                )
                self._loaded = (version, pades.prepare(signer), certificate_info(certificate))
            return self._loaded[1], self._loaded[2]

    def certificate(self) -> CertificateInfo:
        return self._load()[1]

    def sign_pdf(self, pdf: bytes, *, signing_time: datetime) -> bytes:
        signer, info = self._load()
        if not info.valid_at(signing_time):
            raise SignerUnavailable("expired", f"certificate valid {info.not_before} .. {info.not_after}")
        return pades.sign(
            pdf, signer, signing_time=signing_time, tsa_url=self.tsa_url, tsa_timeout=self.tsa_timeout
        )

    def check(self) -> None:
        self._load()
