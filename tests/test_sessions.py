"""Sessions kept on the server (app/sessions.py), so that signing out really ends them.

Issue 13, item 4: «Server-side sessions or a revocation list so logout and "sign out everywhere" work, with an
absolute lifetime; no IIN in the cookie.» The probe behind it: «Logout does not revoke the session: a copied
staff cookie still works after logout, and renews itself forever (no absolute lifetime). The patient's IIN is
readable (signed, not encrypted) in the cookie.»
"""

import base64
import binascii
import re
import zlib
from datetime import timedelta

from flask import request
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, SmsMessage, WebSession
from app.services import staff_accounts
from tests.conftest import TEST_PASSWORD, page_text
from tests.factories import make_patient

COOKIE = "session"
SIGN_IN_PAGE = "/staff/login"
LIFETIME_ENDED = {
    "kk": "Сеанс аяқталды: ол ең көбі 12 сағатқа созылады. Жүйеге қайта кіріңіз.",
    "ru": "Сеанс завершён: он длится не более 12 часов. Войдите снова.",
}


def sign_in(client, username):
    response = client.post(SIGN_IN_PAGE, data={"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302, page_text(response)
    return response


def copy_of(app, client):
    """Another browser holding a copy of `client`'s session cookie (the same user agent and address, as a
    thief who copied it from a desk computer would present)."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return thief


def is_signed_out(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith(SIGN_IN_PAGE)


# ---- staff: sign-out, everywhere, lifetime ----------------------------------------------------------------


def test_a_copied_staff_cookie_stops_working_at_sign_out(app, client, make_staff):
    """Logout-replay: copy the cookie, sign out, the copy is refused."""
    make_staff("desk", roles=("registrar",))
    sign_in(client, "desk")
    thief = copy_of(app, client)
    assert thief.get("/staff/registrar").status_code == 200, "the copy worked while the session was open"

    client.post("/staff/logout")
    assert is_signed_out(thief.get("/staff/registrar"))
    assert is_signed_out(client.get("/staff/registrar"))
    assert db.session.scalars(select(WebSession).where(WebSession.staff_id.is_not(None))).all() == []


def test_a_cookie_copied_before_the_sign_in_opens_nothing_after_it(app, client, make_staff):
    """A sign-in starts a new session (a new token): a cookie planted or copied before it stays anonymous."""
    make_staff("desk", roles=("registrar",))
    client.get(SIGN_IN_PAGE)  # the visitor's session, with its CSRF token
    before = copy_of(app, client)
    sign_in(client, "desk")
    assert client.get_cookie(COOKIE).value != before.get_cookie(COOKIE).value
    assert is_signed_out(before.get("/staff/registrar"))


def test_sign_out_everywhere_ends_every_session_of_the_staff_member(app, client, make_staff):
    """A button in the staff menu: every computer and browser the person is signed in on is signed out."""
    desk = make_staff("desk", roles=("registrar",))
    other_desk, home = app.test_client(), app.test_client()
    for browser in (client, other_desk, home):
        sign_in(browser, "desk")
    make_staff("colleague", roles=("registrar",))
    colleague = app.test_client()
    sign_in(colleague, "colleague")

    assert "Барлық жерден шығу" in page_text(client.get("/staff/registrar"))
    response = client.post("/staff/logout/everywhere")
    assert is_signed_out(response)
    assert "Сіз барлық компьютер мен браузерден шықтыңыз." in page_text(client.get(SIGN_IN_PAGE))
    for browser in (client, other_desk, home):
        assert is_signed_out(browser.get("/staff/registrar"))
    assert colleague.get("/staff/registrar").status_code == 200, "nobody else is signed out"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "logout")).one()
    assert (entry.staff_id, entry.detail) == (desk.id, "everywhere: sessions=3")


def test_an_admin_signs_a_staff_member_out_everywhere(app, client, login, make_staff):
    desk = make_staff("desk", roles=("registrar",))
    desk_browser = app.test_client()
    sign_in(desk_browser, "desk")
    login("admin")
    client.get("/lang/ru")
    page = page_text(client.get(f"/admin/staff/{desk.id}"))
    assert "Вход выполнен на 1 компьютере или в браузере" in page
    assert client.post(f"/admin/staff/{desk.id}/sign-out").status_code == 303
    assert is_signed_out(desk_browser.get("/staff/registrar"))
    assert client.get("/admin/").status_code == 200, "the admin stays signed in"
    assert "Сейчас нигде не выполнен вход." in page_text(client.get(f"/admin/staff/{desk.id}"))
    assert db.session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "update")).all() == [
        "signed out everywhere: sessions=1"
    ]


def test_a_new_password_or_a_deactivation_signs_the_account_out_everywhere(app, client, login, make_staff):
    desk = make_staff("desk", roles=("registrar",))
    desk_browser = app.test_client()
    sign_in(desk_browser, "desk")
    login("admin")
    client.post(
        f"/admin/staff/{desk.id}/password",
        data={"new_password": "Another-Long-Secret-9", "new_password_again": "Another-Long-Secret-9"},
    )
    assert is_signed_out(desk_browser.get("/staff/registrar"))
    assert staff_accounts.open_sessions(desk) == []

    sign_in_with = {"username": "desk", "password": "Another-Long-Secret-9"}
    assert desk_browser.post(SIGN_IN_PAGE, data=sign_in_with).status_code == 302
    assert len(staff_accounts.open_sessions(desk)) == 1
    client.post(f"/admin/staff/{desk.id}/active", data={"active": "0"})
    assert staff_accounts.open_sessions(desk) == []
    assert is_signed_out(desk_browser.get("/staff/registrar"))


def test_a_staff_session_ends_twelve_hours_after_the_sign_in_however_active(app, client, make_staff, frozen):
    """The absolute lifetime: activity every 20 minutes keeps the idle timeout away, not the lifetime."""
    make_staff("desk", roles=("registrar",))
    frozen(2026, 11, 23, 8, 0)
    sign_in(client, "desk")
    for minutes in range(20, 12 * 60, 20):
        frozen(2026, 11, 23, *divmod(8 * 60 + minutes, 60))
        assert client.get("/staff/registrar").status_code == 200, f"{minutes} minutes after the sign-in"
    frozen(2026, 11, 23, 20, 0)
    response = client.get("/staff/registrar")
    assert is_signed_out(response)
    assert LIFETIME_ENDED["kk"] in page_text(client.get(response.headers["Location"]))
    sign_in(client, "desk")  # and a new sign-in starts a new twelve hours
    assert client.get("/staff/registrar").status_code == 200


def test_the_lifetime_message_is_in_russian_too(app, client, make_staff, frozen):
    make_staff("desk", roles=("registrar",))
    client.get("/lang/ru")
    frozen(2026, 11, 23, 8, 0)
    sign_in(client, "desk")
    frozen(2026, 11, 23, 20, 0)
    client.get("/lang/ru")  # the language cookie is the browser's own, not the session's
    response = client.get("/staff/registrar")
    assert LIFETIME_ENDED["ru"] in page_text(client.get(response.headers["Location"]))


def test_a_session_revoked_while_a_request_runs_is_not_written_back(app, client, make_staff):
    """Several workers: a request that started before a sign-out elsewhere must not bring the session back."""
    desk = make_staff("desk", roles=("registrar",))
    sign_in(client, "desk")
    token = client.get_cookie(COOKIE).value
    with app.test_request_context("/staff/registrar", headers={"Cookie": f"{COOKIE}={token}"}):
        open_session = app.session_interface.open_session(app, request)
        assert open_session.get("_user_id") == str(desk.id)
        staff_accounts.end_sessions(desk)  # a sign-out everywhere, in another worker
        db.session.commit()
        open_session["staff_last_seen"] = 1.0
        response = app.response_class("")
        app.session_interface.save_session(app, open_session, response)
    assert db.session.scalars(select(WebSession)).all() == []
    assert "session=;" in response.headers["Set-Cookie"]


# ---- patients: nothing personal in the cookie ------------------------------------------------------------


def _decodings(value: str) -> list[str]:
    """Whatever a curious person could read out of a cookie value: as it is, and base64 (and zlib) decoded
    piece by piece, as Flask's own signed cookies are made."""
    readings = [value]
    for piece in re.split(r"[.]", value.lstrip(".")):
        padded = piece + "=" * (-len(piece) % 4)
        try:
            raw = base64.urlsafe_b64decode(padded)
        except (binascii.Error, ValueError):
            continue
        for candidate in (raw, _inflate(raw)):
            if candidate:
                readings.append(candidate.decode("latin-1"))
    return readings


def _inflate(raw: bytes) -> bytes:
    try:
        return zlib.decompress(raw)
    except zlib.error:
        return b""


def test_no_cookie_ever_holds_the_patients_iin(app, client):
    """Through a whole patient sign-in (waiting for the code, signed in, a page while signed in, signing
    out), every cookie the browser is given is decoded: the IIN is in none of them."""
    patient = make_patient(10, phone="+77010000123", district_number=None)
    db.session.commit()
    responses = [client.get("/attachment/"), client.post("/attachment/code", data={"iin": patient.iin})]
    code = re.search(r"\b(\d{6})\b", _last_text(patient.phone)).group(1)
    responses.append(client.post("/attachment/code/check", data={"code": code}))
    responses.append(client.get("/status"))
    responses.append(client.post("/attachment/sign-out"))

    cookies = [value for response in responses for value in response.headers.getlist("Set-Cookie")]
    assert cookies, "the flow set cookies"
    for header in cookies:
        value = header.split(";", 1)[0].split("=", 1)[1]
        for reading in _decodings(value):
            assert patient.iin not in reading, header
    # The session the server keeps does hold it while the person is signed in: that is where it belongs.
    with client.session_transaction() as kept:
        assert kept.get("patient_iin") is None  # signed out


def test_a_copied_patient_cookie_stops_working_at_sign_out(app, client):
    patient = make_patient(10, phone="+77010000123", district_number=None)
    db.session.commit()
    client.post("/attachment/code", data={"iin": patient.iin})
    code = re.search(r"\b(\d{6})\b", _last_text(patient.phone)).group(1)
    assert client.post("/attachment/code/check", data={"code": code}).status_code in (302, 303)
    thief = copy_of(app, client)
    assert _signed_in_iin(app, thief) == patient.iin
    client.post("/attachment/sign-out")
    assert _signed_in_iin(app, thief) is None


def _signed_in_iin(app, browser):
    with browser.session_transaction() as kept:
        return kept.get("patient_iin")


def _last_text(phone: str) -> str:
    return (
        db.session.scalars(select(SmsMessage).where(SmsMessage.phone == phone).order_by(SmsMessage.id.desc()))
        .first()
        .text
    )


def test_the_table_keeps_no_working_token(app, client, make_staff):
    make_staff("desk", roles=("registrar",))
    sign_in(client, "desk")
    token = client.get_cookie(COOKIE).value
    row = db.session.scalars(select(WebSession)).one()
    assert token not in " ".join(str(value) for value in vars(row).values())
    assert len(token) >= 40


# ---- the idle timeouts' mark: written at most once a minute (issue 22, item 6) ---------------------------


def _session_writes(app, browser, url) -> int:
    """UPDATEs of the session row that a GET of `url` makes (the idle mark, or any other change)."""
    from sqlalchemy import event

    writes = []

    def note(conn, cursor, statement, *args):
        if statement.startswith("UPDATE web_session"):
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        browser.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return len(writes)


def _signed_in_patient(client, frozen):
    patient = make_patient(10, phone="+77010000123", district_number=None)
    db.session.commit()
    frozen(2026, 11, 23, 10, 0, 0)
    client.post("/attachment/code", data={"iin": patient.iin})
    code = re.search(r"\b(\d{6})\b", _last_text(patient.phone)).group(1)
    assert client.post("/attachment/code/check", data={"code": code}).status_code in (302, 303)
    return patient


def test_a_patients_pages_write_the_session_at_most_once_a_minute(app, client, frozen):
    patient = _signed_in_patient(client, frozen)
    client.get("/status")  # the first page after the sign-in
    frozen(2026, 11, 23, 10, 0, 30)
    assert _session_writes(app, client, "/status") == 0, "a page within the minute writes nothing"
    frozen(2026, 11, 23, 10, 0, 59)
    assert _session_writes(app, client, "/status") == 0
    frozen(2026, 11, 23, 10, 1, 0)
    assert _session_writes(app, client, "/status") == 1, "a minute on, the idle mark moves"
    # Active every ten minutes for an hour: never signed out.
    for minutes in range(11, 71, 10):
        frozen(2026, 11, 23, *divmod(10 * 60 + minutes, 60))
        assert _signed_in_iin(app, client) == patient.iin
        client.get("/status")
    assert _signed_in_iin(app, client) == patient.iin


def test_the_patients_idle_timeout_counts_from_the_last_mark(app, client, frozen):
    """Twenty minutes idle (PATIENT_SESSION_IDLE) after the last mark sign the patient out: a page within
    the minute after a mark does not move it, so the session ends at most a minute early, never late."""
    _signed_in_patient(client, frozen)
    frozen(2026, 11, 23, 10, 0, 40)
    client.get("/status")  # within the minute: the mark stays at 10:00:00
    frozen(2026, 11, 23, 10, 20, 1)
    client.get("/status")
    assert _signed_in_iin(app, client) is None


def test_with_a_short_idle_timeout_a_patient_who_keeps_using_the_pages_stays_signed_in(app, client, frozen):
    """An idle timeout of a minute (a kiosk-like setting): the mark moves within a tenth of it, so pages
    every 25 seconds never look idle, while a minute without one still signs the patient out."""
    app.config["PATIENT_SESSION_IDLE"] = timedelta(minutes=1)
    patient = _signed_in_patient(client, frozen)
    for seconds in range(25, 200, 25):
        frozen(2026, 11, 23, 10, *divmod(seconds, 60))
        client.get("/status")
        assert _signed_in_iin(app, client) == patient.iin, seconds
    frozen(2026, 11, 23, 10, 4, 30)
    client.get("/status")
    assert _signed_in_iin(app, client) is None


def test_the_patient_stays_signed_in_until_twenty_minutes_after_the_mark(app, client, frozen):
    patient = _signed_in_patient(client, frozen)
    frozen(2026, 11, 23, 10, 20, 0)
    client.get("/status")
    assert _signed_in_iin(app, client) == patient.iin


def test_a_staff_members_pages_write_the_session_at_most_once_a_minute(app, client, make_staff, frozen):
    make_staff("desk", roles=("registrar",))
    frozen(2026, 11, 23, 9, 0, 0)
    sign_in(client, "desk")
    client.get("/staff/registrar")  # the first page after the sign-in
    frozen(2026, 11, 23, 9, 0, 45)
    assert _session_writes(app, client, "/staff/registrar") == 0
    frozen(2026, 11, 23, 9, 1, 0)
    assert _session_writes(app, client, "/staff/registrar") == 1
    # Thirty minutes idle (STAFF_IDLE_TIMEOUT) after the mark of 09:01, a page within its minute ignored.
    frozen(2026, 11, 23, 9, 1, 50)
    assert client.get("/staff/registrar").status_code == 200
    frozen(2026, 11, 23, 9, 31, 1)
    assert is_signed_out(client.get("/staff/registrar"))
