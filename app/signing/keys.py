"""The clinic's key file: a PKCS#12 (.p12) in the instance folder, encrypted with the key password.

    generate_key_file(path, password, organisation=..., moment=now())   a self-signed demo key
    import_key_file(source_bytes, source_password, path, password)      a real key, re-encrypted
    load_key_file(path, password) -> (private key, certificate, chain)

The password that opens the installed file comes from the environment (EMHANA_SIGNING_KEY_PASSWORD), or,
when that is not set, is derived from the app's SECRET_KEY (itself in instance/secret_key, never in the
code): it is never written anywhere in clear. An imported file's own password is read from the
environment too (EMHANA_SIGNING_IMPORT_PASSWORD), used once and forgotten.
"""

import hashlib
import hmac
import os
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID

from app.signing.contract import SignerUnavailable

DEMO_VALIDITY = timedelta(days=730)
KEY_TYPES = ("ecdsa", "rsa")


class KeyFileError(ValueError):
    """A key file that cannot be installed: not PKCS#12, wrong password, no key or no certificate."""


def key_password(config) -> bytes:
    explicit = config.get("SIGNING_KEY_PASSWORD") or ""
    if explicit:
        return str(explicit).encode()
    secret = str(config.get("SECRET_KEY") or "").encode()
    if not secret:
        raise SignerUnavailable("config", "no SIGNING_KEY_PASSWORD and no SECRET_KEY")
    return hmac.new(secret, b"emhana signing key file", hashlib.sha256).hexdigest().encode()


def generate_key_file(
    path: Path,
    password: bytes,
    *,
    organisation: str,
    moment: datetime,
    key_type: str = "ecdsa",
    validity: timedelta = DEMO_VALIDITY,
) -> x509.Certificate:
    """A new self-signed key and certificate for `organisation`, valid from a day before `moment`."""
    key = (
        ec.generate_private_key(ec.SECP256R1())
        if key_type == "ecdsa"
        else rsa.generate_private_key(65537, 3072)
    )
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _fit(organisation or "Emhana", 200)),
            x509.NameAttribute(NameOID.COMMON_NAME, "Emhana self-signed document signing key"),
        ]
    )
    start = moment - timedelta(days=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + validity)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write(
        path, pkcs12.serialize_key_and_certificates(b"clinic", key, certificate, None, _encryption(password))
    )
    return certificate


def import_key_file(data: bytes, source_password: bytes, path: Path, password: bytes) -> x509.Certificate:
    """Install the key and certificate of a .p12 file, re-encrypted with the installation's password."""
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(data, source_password or None)
    except (ValueError, TypeError) as error:
        raise KeyFileError("not a PKCS#12 file, or the password is wrong") from error
    if key is None or certificate is None:
        raise KeyFileError("the file holds no private key with its certificate")
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise KeyFileError("only RSA and ECDSA keys are supported")
    blob = pkcs12.serialize_key_and_certificates(
        b"clinic", key, certificate, chain or None, _encryption(password)
    )
    _write(path, blob)
    return certificate


def load_key_file(path: Path, password: bytes):
    """(private key, certificate, [chain]); SignerUnavailable("no_key" | "bad_key") otherwise."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SignerUnavailable("no_key", str(path)) from None
    except OSError as error:
        raise SignerUnavailable("bad_key", str(error)) from error
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(data, password)
    except (ValueError, TypeError) as error:
        raise SignerUnavailable("bad_key", "cannot open the key file (password?)") from error
    if key is None or certificate is None:
        raise SignerUnavailable("bad_key", "no key or certificate in the key file")
    return key, certificate, list(chain or [])


def _fit(text: str, limit: int) -> str:
    """`text` cut to `limit` bytes of UTF-8 (a Cyrillic letter takes two)."""
    return text.encode()[:limit].decode(errors="ignore").strip()


def _encryption(password: bytes):
    return BestAvailableEncryption(password)


def _write(path: Path, blob: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(blob)
    os.replace(temporary, path)
