"""Electronic signatures on issued documents (issue 21): every registered kind comes out signed and validates
with pyHanko's own validation; one changed byte fails; a missing key or a down external signer queues
documents, which are signed when it returns; /verify and the "check a PDF" page; the CLI."""

import base64
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from io import BytesIO

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from flask import Flask, jsonify, request
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from werkzeug.serving import make_server

from app.core.bilingual import Bilingual
from app.core.clock import frozen_clock, now
from app.documents import render_pdf
from app.extensions import db
from app.models import Document, SigningQueueEntry
from app.services import document_signing, documents
from app.signing import HttpSigner, SignerUnavailable, check_pdf, generate_key_file, get_signer
from app.signing.keys import load_key_file
from tests.conftest import page_text

documents.register_kind("signing_test", "SGT", Bilingual("Сынақ", "Тест"))


def issue(kind="signing_test"):
    return documents.issue_document(
        kind, "documents/base.html", {}, subject=None, language="ru", valid_until=None
    )


def pyhanko_validates(pdf: bytes, certificate_der: bytes) -> bool:
    """pyHanko's own validation, trusting only the given certificate."""
    from asn1crypto import x509 as asn1_x509

    signature = PdfFileReader(BytesIO(pdf)).embedded_signatures[-1]
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(certificate_der)],
        moment=signature.self_reported_timestamp,
        allow_fetching=False,
    )
    # pyHanko runs its own event loop, which cannot start in a thread that runs one already (the browser
    # tests' Playwright leaves one running for the session): a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        status = pool.submit(validate_pdf_signature, signature, signer_validation_context=context).result()
    return status.bottom_line and status.coverage.name == "ENTIRE_FILE"


def clinic_certificate_der(app) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    from app.signing import key_file_path, key_password

    _, certificate, _ = load_key_file(key_file_path(), key_password(app.config))
    return certificate.public_bytes(Encoding.DER)


# ---- every kind signed ---------------------------------------------------------------------------------


def test_every_registered_kind_comes_out_signed_and_validates(app):

    certificate = clinic_certificate_der(app)
    kinds = sorted(documents._KINDS)
    assert len(kinds) >= 5
    for kind in kinds:
        document = issue(kind)
        assert document.signature_state == "signed", kind
        assert document.signer_fingerprint == get_signer().certificate().fingerprint
        assert pyhanko_validates(document.pdf, certificate), kind
        assert document_signing.signature_report(document).state == "valid"
    db.session.commit()


def test_signing_time_is_the_clinic_clock(app):
    moment = now() - timedelta(days=3)
    with frozen_clock(moment):
        document = issue()
    assert check_pdf(document.pdf).signing_time == moment
    assert document.signed_at == moment


def test_one_changed_byte_fails(app):
    document = issue()
    db.session.commit()
    signed_part = document.pdf.index(b"/Contents <")  # the bytes the signature covers, before its own value
    for position in (20, 200, signed_part // 2, signed_part - 5, len(document.pdf) - 30):
        altered = bytearray(document.pdf)
        altered[position] ^= 0x01
        assert check_pdf(bytes(altered)).state in ("altered", "not_pdf"), position
        assert not pyhanko_validates_safely(bytes(altered), clinic_certificate_der(app)), position
    # a byte anywhere, the signature's unused padding included: never "an unaltered document of the clinic"
    for position in range(0, len(document.pdf), max(1, len(document.pdf) // 40)):
        altered = bytearray(document.pdf)
        altered[position] ^= 0x01
        assert document_signing.verdict_of(bytes(altered)).state != "valid", position


def pyhanko_validates_safely(pdf, der) -> bool:
    try:
        return pyhanko_validates(pdf, der)
    except Exception:  # noqa: BLE001
        return False


def test_a_signed_document_stays_immutable(app):
    from app.models.document import ImmutableDocumentError

    document = issue()
    db.session.commit()
    document.pdf = document.pdf + b"%"
    with pytest.raises(ImmutableDocumentError):
        db.session.flush()
    db.session.rollback()


# ---- the queue -----------------------------------------------------------------------------------------


def test_a_missing_key_queues_and_sign_pending_signs_on_return(app, client, tmp_path, signing_key_file):
    app.config["SIGNING_KEY_FILE"] = str(tmp_path / "missing.p12")
    document = issue()
    db.session.commit()
    assert document.signature_state == "pending"
    entry = db.session.query(SigningQueueEntry).one()
    assert entry.last_reason == "no_key"
    # not served unsigned: the pages say it is being signed
    response = client.get(f"/verify/{document.verification_code}")
    assert "подписывается" in page_text(response) or "қолтаңбасы қойылуда" in page_text(response)
    run = document_signing.sign_pending()
    assert (run.signed, run.waiting, run.reason) == (0, 1, "no_key")
    app.config["SIGNING_KEY_FILE"] = str(signing_key_file)
    run = document_signing.sign_pending()
    db.session.commit()
    assert (run.signed, run.waiting) == (1, 0)
    document = db.session.get(Document, document.id)
    assert document.signature_state == "signed"
    assert check_pdf(document.pdf).valid
    assert document_signing.signature_report(document).state == "valid"


def test_an_expired_key_queues(app):
    with frozen_clock(now() + timedelta(days=365 * 30)):
        document = issue()
    assert document.signature_state == "pending"
    assert db.session.query(SigningQueueEntry).one().last_reason == "expired"


def test_cli_sign_pending_and_key_commands(app, runner, tmp_path, signing_key_file):
    app.config["SIGNING_KEY_FILE"] = str(tmp_path / "clinic.p12")
    issue()
    db.session.commit()
    result = runner.invoke(args=["sign-pending"])
    assert result.exit_code == 1 and "0 documents signed, 1 still waiting" in result.output
    result = runner.invoke(args=["signing-key", "generate"])
    assert result.exit_code == 0 and "fingerprint: SHA-256" in result.output
    assert runner.invoke(args=["signing-key", "generate"]).exit_code != 0  # never overwritten silently
    result = runner.invoke(args=["sign-pending"])
    assert result.exit_code == 0 and "1 documents signed, 0 still waiting" in result.output


def test_import_reads_the_password_from_the_environment(app, runner, tmp_path, monkeypatch):
    source = tmp_path / "real.p12"
    generate_key_file(source, b"s3cret-import", organisation="Real clinic", moment=now(), key_type="rsa")
    app.config["SIGNING_KEY_FILE"] = str(tmp_path / "installed.p12")
    monkeypatch.setenv("EMHANA_SIGNING_IMPORT_PASSWORD", "wrong")
    result = runner.invoke(args=["signing-key", "import", str(source)])
    assert result.exit_code != 0 and "password" in result.output
    monkeypatch.setenv("EMHANA_SIGNING_IMPORT_PASSWORD", "s3cret-import")
    result = runner.invoke(args=["signing-key", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "O=Real clinic" in result.output
    assert b"s3cret-import" not in (tmp_path / "installed.p12").read_bytes()
    document = issue()
    assert document.signature_state == "signed" and check_pdf(document.pdf).signer.key_type == "RSA 3072"


# ---- the external signer over a real loopback socket -------------------------------------------------------


class SigningService:
    """A reference external signer (the API of app/signing/http.py) on 127.0.0.1, with faults on demand."""

    def __init__(self, key_path, password):
        self.key, self.certificate, _ = load_key_file(key_path, password)
        self.fault = None  # None | "500" | "garbage" | "slow"
        self.release = threading.Event()
        service = Flask("signing-service")

        @service.get("/api/v1/certificate")
        def certificate():
            from cryptography.hazmat.primitives.serialization import Encoding

            if self.fault == "500":
                return "down", 500
            der = self.certificate.public_bytes(Encoding.DER)
            return jsonify(certificate=base64.b64encode(der).decode(), chain=[])

        @service.post("/api/v1/sign")
        def sign():
            if self.fault == "500":
                return "down", 500
            if self.fault == "garbage":
                return "<html>proxy error</html>", 200
            if self.fault == "slow":
                self.release.wait(5)
            if request.headers.get("Authorization") != "Bearer t0ken":
                return "no", 401
            data = base64.b64decode(request.get_json()["data"])
            if isinstance(self.key, rsa.RSAPrivateKey):
                signature = self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
            else:
                signature = self.key.sign(data, ec.ECDSA(hashes.SHA256()))
            return jsonify(signature=base64.b64encode(signature).decode())

        self._server = make_server("127.0.0.1", 0, service, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}/api/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()

    def stop(self):
        self.release.set()
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def service(app, signing_key_file):
    from app.signing import key_password

    server = SigningService(signing_key_file, key_password(app.config))
    app.config.update(
        SIGNING_BACKEND="http",
        SIGNING_HTTP_URL=server.url,
        SIGNING_HTTP_TOKEN="t0ken",
        SIGNING_READ_TIMEOUT=0.5,
        SIGNING_CIRCUIT_FAILURES=100,
    )
    yield server
    server.stop()


@pytest.mark.parametrize("backend", ["local", "http"])
def test_contract_both_adapters_sign_the_same_way(app, request, backend):
    if backend == "http":
        request.getfixturevalue("service")
    signer = get_signer()
    assert signer.name == backend
    info = signer.certificate()
    pdf = render_pdf("documents/base.html", {}, language="kk")
    signed = signer.sign_pdf(pdf, signing_time=now())
    assert signed.startswith(pdf)  # incremental: the rendered bytes stay as they were
    result = check_pdf(signed)
    assert result.valid and result.signer.fingerprint == info.fingerprint
    assert result.signing_time == now()
    signer.check()


@pytest.mark.parametrize("fault", ["500", "garbage", "slow"])
def test_external_signer_outage_queues_and_signs_on_return(app, service, fault):
    get_signer().certificate()  # fetched while the service was up (cached); the outage hits /sign
    service.fault = fault
    document = issue()
    db.session.commit()
    assert document.signature_state == "pending"
    reason = db.session.query(SigningQueueEntry).one().last_reason
    assert reason == {"500": "bad_reply", "garbage": "bad_reply", "slow": "timeout"}[fault]
    service.release.set()
    service.fault = None
    run = document_signing.sign_pending()
    db.session.commit()
    assert (run.signed, run.waiting) == (1, 0)
    assert check_pdf(db.session.get(Document, document.id).pdf).valid


def test_external_signer_unreachable_and_circuit(app):
    app.config.update(
        SIGNING_BACKEND="http", SIGNING_HTTP_URL="http://127.0.0.1:9/api", SIGNING_CIRCUIT_FAILURES=1
    )
    with pytest.raises(SignerUnavailable) as first:
        get_signer().certificate()
    assert first.value.reason == "connection"
    with pytest.raises(SignerUnavailable) as second:
        get_signer().certificate()
    assert second.value.reason == "circuit_open"
    assert isinstance(get_signer(), HttpSigner)


# ---- verification pages ----------------------------------------------------------------------------------


def test_verify_page_says_the_signature_holds(app, client):
    document = issue()
    db.session.commit()
    client.set_cookie("emhana_lang", "ru")
    text = page_text(client.get(f"/verify/{document.verification_code}"))
    assert "Электронная подпись действительна" in text
    client.set_cookie("emhana_lang", "kk")
    text = page_text(client.get(f"/verify/{document.verification_code}"))
    assert "Электрондық қолтаңба жарамды" in text


def upload(client, data: bytes, name="doc.pdf"):
    return client.post(
        "/verify/pdf", data={"file": (BytesIO(data), name)}, content_type="multipart/form-data"
    )


def verdict(response) -> str:
    marker = 'data-verdict="'
    body = response.get_data(as_text=True)
    return body.split(marker, 1)[1].split('"', 1)[0] if marker in body else ""


def test_check_a_pdf_verdicts(app, client, tmp_path):
    document = issue()
    db.session.commit()
    assert verdict(upload(client, document.pdf)) == "valid"
    altered = bytearray(document.pdf)
    altered[len(altered) // 3] ^= 0x01
    assert verdict(upload(client, bytes(altered))) in ("altered", "unknown", "not_pdf")
    assert verdict(upload(client, document.pdf + b"\n% appended\n")) == "altered"
    assert verdict(upload(client, b"GIF89a not a pdf", "x.gif")) == "not_pdf"
    assert verdict(upload(client, render_pdf("documents/base.html", {}, language="kk"))) == "unsigned"
    # someone else's valid signature
    other = tmp_path / "other.p12"
    generate_key_file(other, b"x", organisation="Other", moment=now())
    from app.signing import Pkcs12Signer

    foreign = Pkcs12Signer(other, b"x").sign_pdf(
        render_pdf("documents/base.html", {}, language="kk"), signing_time=now()
    )
    assert verdict(upload(client, foreign)) == "foreign"
    # signed with our key but never issued
    ours = get_signer().sign_pdf(render_pdf("documents/base.html", {}, language="kk"), signing_time=now())
    assert verdict(upload(client, ours)) == "unknown"
    app.config["SIGNING_CHECK_MAX_BYTES"] = 1000
    assert verdict(upload(client, document.pdf)) == "too_big"
    assert db.session.query(Document).count() == 1  # nothing stored


def test_check_a_pdf_revoked_and_rate_limited(app, client, make_staff):
    from app.core.actors import Actor

    document = issue()
    db.session.commit()
    documents.revoke(document, "issued in error", Actor.of_staff(make_staff("head", roles=("head",))))
    db.session.commit()
    client.set_cookie("emhana_lang", "ru")
    response = upload(client, document.pdf)
    assert verdict(response) == "revoked" and "отозван" in page_text(response)
    app.config["SIGNING_CHECKS_PER_HOUR"] = 2
    upload(client, document.pdf)
    response = upload(client, document.pdf)
    assert response.status_code == 429 and verdict(response) == ""


def test_check_page_without_a_file_says_so(app, client):
    response = client.post("/verify/pdf", data={}, content_type="multipart/form-data")
    assert response.status_code == 400


def test_a_pending_document_is_not_served(app, client, tmp_path):
    app.config["SIGNING_KEY_FILE"] = str(tmp_path / "none.p12")
    document = issue()
    db.session.commit()
    from app.responses import document_response

    with app.test_request_context("/"):
        response = document_response(document)
    assert response.status_code == 202 and response.mimetype == "text/html"


def test_admin_page_shows_the_key_and_signs_pending(app, client, login, tmp_path, signing_key_file):
    login("admin")
    client.set_cookie("emhana_lang", "ru")
    text = page_text(client.get("/admin/signing/"))
    assert get_signer().certificate().fingerprint in text
    assert "Emhana test clinic" in text
    app.config["SIGNING_KEY_FILE"] = str(tmp_path / "none.p12")
    issue()
    db.session.commit()
    text = page_text(client.get("/admin/signing/"))
    assert "Документы сейчас не могут быть подписаны" in text and "SGT-" in text
    app.config["SIGNING_KEY_FILE"] = str(signing_key_file)
    response = client.post("/admin/signing/sign-pending", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert document_signing.count_pending() == 0


def test_admin_is_warned_30_days_before_expiry(app, client, login, tmp_path):
    path = tmp_path / "short.p12"
    from app.signing import key_password

    generate_key_file(
        path, key_password(app.config), organisation="Short", moment=now(), validity=timedelta(days=20)
    )
    app.config["SIGNING_KEY_FILE"] = str(path)
    status = document_signing.key_status()
    assert status.expiring and status.status == "ok" and status.days_left in (18, 19)
    login("admin")
    client.set_cookie("emhana_lang", "ru")
    assert "истекает через" in page_text(client.get("/admin/signing/"))


def test_the_demo_issues_signed_documents(app, tmp_path):
    from app.demo import seed

    app.config["SIGNING_KEY_FILE"] = str(tmp_path / "demo.p12")
    seed()
    db.session.commit()
    assert (tmp_path / "demo.p12").exists()
    issued = db.session.query(Document).all()
    assert issued
    for document in issued:
        assert document.signature_state == "signed", document.number
        assert document_signing.signature_report(document).state == "valid"


def test_admin_dashboard_tells_when_documents_wait(app, client, login, tmp_path):
    app.config["SIGNING_KEY_FILE"] = str(tmp_path / "none.p12")
    issue()
    db.session.commit()
    login("admin")
    client.set_cookie("emhana_lang", "kk")
    text = page_text(client.get("/admin/"))
    assert "Қазір құжаттарға қол қою мүмкін емес" in text and "1 құжат қол қоюды күтуде" in text


# ---- RFC 3161 timestamps ---------------------------------------------------------------------------------


@pytest.fixture
def tsa_url(tmp_path):
    """A timestamp authority on 127.0.0.1: pyHanko's DummyTimeStamper over HTTP, with its own certificate."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import tsp
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    key = rsa.generate_private_key(65537, 2048)  # pyHanko's dummy timestamper signs with RSA only
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")])
    start = now() - timedelta(days=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
        ),
        fixed_dt=now(),
    )
    service = Flask("tsa")

    @service.post("/tsa")
    def stamp():
        response = stamper.request_tsa_response(tsp.TimeStampReq.load(request.get_data()))
        return response.dump(), 200, {"Content-Type": "application/timestamp-reply"}

    server = make_server("127.0.0.1", 0, service, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/tsa"
    server.shutdown()
    server.server_close()


def test_a_timestamp_authority_stamps_the_signature(app, tsa_url):
    app.config["SIGNING_TSA_URL"] = tsa_url
    document = issue()
    assert document.signature_state == "signed"
    result = check_pdf(document.pdf)
    assert result.valid and result.timestamped


def test_an_unreachable_timestamp_authority_queues(app):
    app.config.update(SIGNING_TSA_URL="http://127.0.0.1:9/tsa", SIGNING_TSA_TIMEOUT=1)
    document = issue()
    assert document.signature_state == "pending"
    assert db.session.query(SigningQueueEntry).one().last_reason == "tsa"
