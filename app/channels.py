"""Which door a visitor came through: the website or a registered lobby kiosk.

A kiosk is recognised by its device cookie, set once when the kiosk's browser opens the activation link an
admin created. Views ask `current_channel()`; templates read `kiosk` to switch to the kiosk layout.
"""

from flask import Flask, current_app, g, request, session

from app.services.kiosk import device_for_token
from app.services.rate_limit import KIOSK_ORIGIN
from app.sessions import renew

KIOSK_COOKIE = "emhana_kiosk"


def init_app(app: Flask) -> None:
    app.before_request(_recognise_kiosk)
    app.context_processor(lambda: {"kiosk": getattr(g, "kiosk", None)})


def _recognise_kiosk() -> None:
    g.kiosk = None
    token = request.cookies.get(KIOSK_COOKIE)
    if token and request.endpoint != "static":
        g.kiosk = device_for_token(token)


def current_kiosk():
    return getattr(g, "kiosk", None)


def current_channel() -> str:
    """This request's channel: "kiosk" on a registered kiosk, "web" otherwise (staff views pick theirs)."""
    return "kiosk" if current_kiosk() is not None else "web"


def client_key() -> str:
    """Whom a per-origin limit counts: the registered kiosk's device, or the client's own address (behind
    a trusted proxy, app/security.py). Never the proxy's address: one bucket for everyone."""
    kiosk = current_kiosk()
    if kiosk is not None:
        return f"{KIOSK_ORIGIN}{kiosk.id}"
    return request.remote_addr or ""


def kiosk_idle_seconds() -> int:
    return current_app.config["KIOSK_IDLE_SECONDS"]


def forget_visitor() -> None:
    """End the person at the kiosk: everything the session held (who they are, a code waiting, the page to
    land on), under a new session token. The kiosk calls it whenever its tile menu (its home) is shown,
    whatever brought the screen there (the clinic logo, Back, Start over, the idle timer), so the next
    person never starts as the previous one."""
    if session:
        session.clear()
        renew(session)
