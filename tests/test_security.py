"""What every response tells the browser (app/security.py): a strict CSP, no framing, no sniffing, HSTS and
Secure cookies over HTTPS; and the client's own address behind a trusted proxy."""

from datetime import date

import pytest
from flask import request

from app import create_app
from app.channels import KIOSK_COOKIE, client_key
from app.core.iin import make_iin
from app.core.urls import absolute_url
from app.extensions import db
from app.security import CONTENT_SECURITY_POLICY, PublicAddressMissing
from app.services import kiosk as kiosk_service
from tests.conftest import IsolatedRequestClient, page_text
from tests.factories import make_patient


@pytest.mark.parametrize("path", ["/", "/services", "/staff/login", "/no-such-page"])
def test_every_page_forbids_framing_sniffing_and_foreign_scripts(client, path):
    headers = client.get(path).headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # plain HTTP: HSTS would lock a LAN trial out


def test_the_templates_keep_no_inline_script_for_the_policy_to_allow(client):
    html = client.get("/").get_data(as_text=True)
    assert "<script>" not in html and "<script " not in html.replace('<script src="', "")
    assert '"includeIndicatorStyles": false' in html  # htmx's inline <style> would break style-src 'self'
    assert '"attributesToSettle": ["class", "width", "height"]' in html  # nor may it copy style attributes


_EXTRA_APPS = []


@pytest.fixture(autouse=True)
def _close_the_extra_apps_connections():
    """The apps a test builds besides the `app` fixture's keep pooled connections: closed here, not left to
    the garbage collector (on PostgreSQL an unclosed connection is a ResourceWarning in a later test)."""
    yield
    while _EXTRA_APPS:
        with _EXTRA_APPS.pop().app_context():
            db.engine.dispose()


def _app(database_url, tmp_path, **settings):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "localhost",
            "INSTANCE_UPLOADS": str(tmp_path / "uploads"),
            **settings,
        }
    )
    app.test_client_class = IsolatedRequestClient
    _EXTRA_APPS.append(app)
    return app


def test_over_https_the_site_asks_for_https_and_marks_cookies_secure(app, database_url, tmp_path):
    secure = _app(database_url, tmp_path, HTTPS=True)
    client = secure.test_client()
    response = client.get("/lang/ru?next=/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert secure.config["SESSION_COOKIE_SECURE"] is True
    cookie = next(value for key, value in response.headers.items() if key == "Set-Cookie")
    assert "emhana_lang=ru" in cookie


def test_forwarded_addresses_are_believed_only_through_trusted_hops(app, database_url, tmp_path):
    """PROXY_HOPS=0 (the default) ignores X-Forwarded-For, so nobody can claim another address; 1 hop (nginx
    on the same machine, deploy/) gives back the client's own address."""
    seen = []
    for hops in (0, 1):
        proxied = _app(database_url, tmp_path, PROXY_HOPS=hops)

        @proxied.get("/_test/address")
        def address():
            return request.remote_addr or ""

        response = proxied.test_client().get(
            "/_test/address",
            headers={"X-Forwarded-For": "10.1.2.3"},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
        seen.append(response.get_data(as_text=True))
    assert seen == ["127.0.0.1", "10.1.2.3"]


def test_production_needs_the_sites_address_and_links_never_take_the_host_header(app, database_url, tmp_path):
    """Issue 13: «`PUBLIC_BASE_URL` required in production for every absolute link; never the Host header.»"""
    production = {"PRODUCTION": True, "SMS_OUTBOX_IN_PRODUCTION": True}
    for missing in ("", "emhana.clinic.kz", "/verify"):
        with pytest.raises(PublicAddressMissing, match="PUBLIC_BASE_URL"):
            _app(database_url, tmp_path, PUBLIC_BASE_URL=missing, **production)
    clinic_site = _app(database_url, tmp_path, PUBLIC_BASE_URL="https://emhana.clinic.kz", **production)

    @clinic_site.get("/_test/link")
    def link():
        return absolute_url("verify.show_document", code="ABC123")

    response = clinic_site.test_client().get("/_test/link", headers={"Host": "evil.example.com"})
    assert response.get_data(as_text=True) == "https://emhana.clinic.kz/verify/ABC123"


def test_staff_pages_are_never_stored(client, login):
    login("registrar")
    assert client.get("/staff/registrar").headers["Cache-Control"] == "no-store"


def test_public_pages_may_be_cached_until_a_patient_signs_in(client, app):
    assert "no-store" not in client.get("/services").headers.get("Cache-Control", "")
    with client.session_transaction() as session:
        session["patient_iin"] = "550617310005"
    assert client.get("/services").headers["Cache-Control"] == "no-store"


def test_behind_the_proxy_fifty_patients_get_codes_and_one_address_is_held_to_its_limit(
    app, database_url, tmp_path
):
    """The clinic's reverse proxy is one address: with PROXY_HOPS=1 each patient is counted by their own
    address (issue 13: from the 9th patient on, a whole morning was refused as one bucket)."""
    # make_iin moves to the next serial when one cannot be completed: ten apart, every person is distinct.
    for number in range(1, 81):
        make_patient(number * 10, phone=f"+770100{number:05d}", district_number=None)
    db.session.commit()
    proxied = _app(database_url, tmp_path, PROXY_HOPS=1)
    client = proxied.test_client()

    def ask(number: int, address: str):
        iin = make_iin(date(1985, 4, 1), "F", serial=number * 10)
        page = client.post(
            "/attachment/code",
            data={"iin": iin},
            headers={"X-Forwarded-For": address},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},  # the proxy
        )
        return page_text(page)

    sent = [ask(number, f"10.0.{number}.7") for number in range(1, 51)]
    assert all("6 таңбалы код жібердік" in text for text in sent)

    limit = proxied.config["OTP_SENDS_PER_IP"]
    from_one_address = [ask(number, "10.9.9.9") for number in range(51, 51 + limit + 1)]
    assert all("6 таңбалы код жібердік" in text for text in from_one_address[:limit])
    assert "Тым көп код сұралды" in from_one_address[limit]


def test_a_lobby_kiosk_is_one_origin_with_a_larger_limit(app, client):
    """Every patient at the lobby kiosk comes from its one address: the kiosk is counted by its registered
    device, with KIOSK_LIMIT_FACTOR times an address's limit, so a busy morning is not refused at the 21st."""
    device, token = kiosk_service.register_device("Lobby")
    for number in range(1, 31):
        make_patient(number * 10, phone=f"+770200{number:05d}", district_number=None)
    db.session.commit()
    client.set_cookie(KIOSK_COOKIE, token)
    served = 0
    for number in range(1, 31):
        iin = make_iin(date(1985, 4, 1), "F", serial=number * 10)
        served += "6 таңбалы код жібердік" in page_text(client.post("/attachment/code", data={"iin": iin}))
    assert app.config["OTP_SENDS_PER_IP"] < 30 and served == 30
    assert client_key_for(app, token) == f"kiosk:{device.id}"


def client_key_for(app, token: str) -> str:
    with app.test_request_context("/", headers={"Cookie": f"{KIOSK_COOKIE}={token}"}):
        app.preprocess_request()
        return client_key()
