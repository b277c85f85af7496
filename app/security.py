"""What every response says to the browser about itself, and where requests really come from.

- Behind a reverse proxy (deploy/: nginx on the same machine) every request arrives from the proxy's address;
  PROXY_HOPS trusted hops of X-Forwarded-For / -Proto give back the patient's own address, so per-address
  limits are per person and not one bucket for the whole clinic. 0 (the default) trusts no header: a client
  could otherwise claim any address.
- A strict Content-Security-Policy: the templates have no inline script or style (keep it so: htmx's own
  indicator style is switched off in base.html and lives in emhana.css), nothing is loaded from elsewhere, and
  no page may be framed (no clickjacking of one-click staff buttons).
- HTTPS (a setting, on in deploy/): HSTS and cookies marked Secure.
- A production configuration names the site's address (PUBLIC_BASE_URL): links in SMS texts and QR codes are
  built from it, never from the Host header a client sends (app.core.urls.absolute_url).
- No page shown to a signed-in staff member or to a patient who is signed in (or half-way through signing
  in) is kept by the browser or a proxy: desk computers and the kiosk are shared, and Back must not bring the
  previous person's data back.
"""

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request, session
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from app.responses import NO_STORE

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HSTS = "max-age=31536000"


class PublicAddressMissing(RuntimeError):
    """A production configuration without the site's absolute address."""


class SeveralHostsMisconfigured(RuntimeError):
    """HOSTS > 1 with state that would stay on one machine."""


def check_configuration(config) -> None:
    """Refuse a production configuration whose links would take the Host header, and a configuration of
    several hosts that would keep state on one of them (when the app is built)."""
    _check_several_hosts(config)
    if not config.get("PRODUCTION"):
        return
    address = urlsplit(str(config.get("PUBLIC_BASE_URL") or "").strip())
    if address.scheme not in ("http", "https") or not address.netloc:
        raise PublicAddressMissing(
            "PRODUCTION is set but PUBLIC_BASE_URL is not an absolute http(s) address: links in SMS texts "
            "and QR codes would be built from the Host header a client sends. Set PUBLIC_BASE_URL to the "
            "address patients reach, e.g. EMHANA_PUBLIC_BASE_URL=https://emhana.clinic.kz in /etc/emhana/env."
        )


def init_app(app: Flask) -> None:
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    if app.config.get("HTTPS"):
        app.config["SESSION_COOKIE_SECURE"] = True
    app.after_request(_security_headers)


def _security_headers(response: Response) -> Response:
    headers = response.headers
    if response.mimetype == "text/html":
        # Pages only: Chromium's own PDF viewer styles itself inline and would be refused under the policy.
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config.get("HTTPS"):
        headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static" and _shows_a_person():
        headers["Cache-Control"] = NO_STORE
    return response


def _shows_a_person() -> bool:
    """A staff member is signed in, or the session holds a patient's IIN (signed in or waiting for a code)."""
    if current_user.is_authenticated:
        return True
    return any(key.endswith("_iin") and value for key, value in session.items())


def _check_several_hosts(config) -> None:
    """HOSTS > 1 (docs/scaling.md): every host must sign sessions and codes with the same key, and share one
    database that is not a file on one of them."""
    try:
        hosts = int(config.get("HOSTS") or 1)
    except (TypeError, ValueError):
        raise SeveralHostsMisconfigured(f"HOSTS must be a number, not {config.get('HOSTS')!r}") from None
    if hosts <= 1:
        return
    if not str(config.get("SECRET_KEY") or "").strip():
        raise SeveralHostsMisconfigured(
            f"HOSTS is {hosts} but no SECRET_KEY is configured: each host would generate its own, and a "
            "session or one-time code made on one would be refused by the others. Set the same SECRET_KEY "
            "on every host (e.g. SECRET_KEY=... in /etc/emhana/env)."
        )
    database = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    if not database.startswith(("postgres://", "postgresql")):
        raise SeveralHostsMisconfigured(
            f"HOSTS is {hosts} but DATABASE_URL is not PostgreSQL: a SQLite file lives on one machine. "
            "Set DATABASE_URL=postgresql://... on every host."
        )
    if str(config.get("UPLOAD_STORAGE") or "").strip().lower() == "disk":
        raise SeveralHostsMisconfigured(
            f"HOSTS is {hosts} but UPLOAD_STORAGE is disk: a scan taken on one host could not be opened on "
            "another. Leave UPLOAD_STORAGE empty (the database)."
        )
