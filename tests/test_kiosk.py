"""Kiosk devices: registration by an admin, activation on the device, the kiosk layout and reset."""

import re

from app.channels import KIOSK_COOKIE
from app.extensions import db
from app.models.kiosk import KioskDevice
from app.services import kiosk as kiosk_service
from tests.conftest import page_text


def _register(client, login):
    login("admin")
    response = client.post("/admin/kiosks", data={"name": "Lobby, ground floor"})
    assert response.status_code == 200
    # What the admin sees is a short one-time code, typed on the kiosk's keypad (issue 14).
    code = re.search(r'<code class="activation-code">([^<]+)</code>', response.get_data(as_text=True)).group(
        1
    )
    assert re.fullmatch(r"\d{4} \d{4}", code)
    client.post("/staff/logout")
    return code


def test_the_open_web_gets_no_kiosk(client):
    response = client.get("/kiosk/")
    assert response.status_code == 403
    assert 'class=" kiosk"' not in response.get_data(as_text=True)
    assert "kiosk" not in client.get("/").get_data(as_text=True).split("<body", 1)[1].split(">", 1)[0]


def test_admin_registers_a_kiosk_and_the_code_is_shown_once(client, login):
    token = _register(client, login)
    device = db.session.scalars(db.select(KioskDevice)).one()
    assert device.name == "Lobby, ground floor"
    assert token not in device.token_hash  # only the hash is stored
    login("admin", username="admin2")
    assert token not in client.get("/admin/kiosks").get_data(as_text=True)


def test_activation_rejects_a_wrong_token_and_accepts_the_right_one(client, login):
    token = _register(client, login)
    response = client.post("/kiosk/activate", data={"token": "not-a-token"})
    assert response.status_code == 200
    assert "Бұл токен белсенді киоскіге тиесілі емес." in page_text(response)
    assert KIOSK_COOKIE not in response.headers.get("Set-Cookie", "")

    response = client.post("/kiosk/activate", data={"token": token})
    assert response.status_code == 302
    start = client.get("/kiosk/")
    assert start.status_code == 200
    html = start.get_data(as_text=True)
    assert 'data-idle-seconds="60"' in html
    assert 'id="keypad"' in html
    assert start.headers["Cache-Control"] == "no-store"


def test_a_switched_off_kiosk_is_an_ordinary_browser_again(client, login):
    token = _register(client, login)
    client.post("/kiosk/activate", data={"token": token})
    device = db.session.scalars(db.select(KioskDevice)).one()
    kiosk_service.set_active(device, False)
    db.session.commit()
    assert client.get("/kiosk/").status_code == 403


def test_reset_forgets_the_visitor_and_the_language(client, login):
    token = _register(client, login)
    client.post("/kiosk/activate", data={"token": token})
    client.get("/lang/ru")
    with client.session_transaction() as session:
        session["visitor"] = "someone"
    response = client.get("/kiosk/reset")
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "visitor" not in session
    assert '<html lang="kk">' in client.get("/kiosk/").get_data(as_text=True)


def test_current_channel_follows_the_device(app, client, login):
    from app.channels import current_channel

    client.post("/kiosk/activate", data={"token": _register(client, login)})
    token = client.get_cookie(KIOSK_COOKIE).value  # what the code gave the device
    with app.test_request_context("/", headers={"Cookie": f"{KIOSK_COOKIE}={token}"}):
        app.preprocess_request()
        assert current_channel() == "kiosk"
    with app.test_request_context("/"):
        app.preprocess_request()
        assert current_channel() == "web"


def test_reset_off_a_kiosk_signs_nobody_out(client, login):
    login("registrar")
    assert client.get("/kiosk/reset").status_code == 302
    assert client.get("/staff/registrar").status_code == 200


def test_the_on_screen_keyboard_comes_only_with_the_kiosk_in_its_language(client, login):
    assert 'id="osk"' not in client.get("/home-visits/").get_data(as_text=True)
    assert "kiosk-keyboard.js" not in client.get("/home-visits/").get_data(as_text=True)

    token = _register(client, login)
    client.post("/kiosk/activate", data={"token": token})
    html = client.get("/home-visits/").get_data(as_text=True)
    assert 'id="osk"' in html and "kiosk-keyboard.js" in html
    for letter in "әғқңөұүһі":
        assert f'data-key="{letter}"' in html
    assert 'aria-label="Экрандағы пернетақта"' in html
    assert 'aria-label="Соңғы таңбаны өшіру"' in html
    assert 'data-switch="kk" aria-label="Қазақ әріптері" aria-pressed="true"' in html

    client.get("/lang/ru?next=/home-visits/")
    html = client.get("/home-visits/").get_data(as_text=True)
    assert 'aria-label="Экранная клавиатура"' in html
    assert 'aria-label="Удалить последний символ"' in html
    assert 'data-switch="ru" aria-label="Русские буквы" aria-pressed="true"' in html


def test_the_tile_menu_ends_the_persons_session(client, login):
    """Issue 14: whatever brought the kiosk back to its tiles, the person who was signed in is gone."""
    token = _register(client, login)
    client.post("/kiosk/activate", data={"token": token})
    with client.session_transaction() as session:
        session["patient_iin"] = "900101300001"
        session["appointments_pending_iin"] = "900101300001"
    client.get("/kiosk/")
    with client.session_transaction() as session:
        assert "patient_iin" not in session
        assert "appointments_pending_iin" not in session


def test_the_tile_menu_on_the_open_web_signs_nobody_out(client):
    with client.session_transaction() as session:
        session["patient_iin"] = "900101300001"
    assert client.get("/kiosk/").status_code == 403
    with client.session_transaction() as session:
        assert session["patient_iin"] == "900101300001"


def test_a_code_activates_once_and_only_for_fifteen_minutes(app, client, login, frozen):
    frozen(2026, 11, 23, 9, 0)
    code = _register(client, login)
    device = db.session.scalars(db.select(KioskDevice)).one()
    assert code.replace(" ", "") not in (device.activation_code_hash or "")  # only the hash is kept
    assert client.post("/kiosk/activate", data={"token": code}).status_code == 302
    assert client.get("/kiosk/").status_code == 200
    # Used once: a second device typing it gets nothing.
    other = app.test_client()
    again = other.post("/kiosk/activate", data={"token": code})
    assert again.status_code == 200 and KIOSK_COOKIE not in again.headers.get("Set-Cookie", "")
    assert "Бұл код қате" in page_text(again)

    # A new code for the same kiosk (a new machine): the first machine's token stops working.
    login("admin", username="admin2")
    page = client.post(f"/admin/kiosks/{device.id}/code")
    fresh = re.search(r'<code class="activation-code">([^<]+)</code>', page.get_data(as_text=True)).group(1)
    client.post("/staff/logout")
    frozen(2026, 11, 23, 9, 16)  # 16 minutes later: expired
    assert other.post("/kiosk/activate", data={"token": fresh}).status_code == 200
    assert other.get("/kiosk/").status_code == 403


def test_a_new_code_moves_the_kiosk_to_the_new_machine(app, client, login, frozen):
    frozen(2026, 11, 23, 9, 0)
    client.post("/kiosk/activate", data={"token": _register(client, login)})
    device = db.session.scalars(db.select(KioskDevice)).one()
    fresh = kiosk_service.shown_code(kiosk_service.issue_activation_code(device))
    db.session.commit()
    new_machine = app.test_client()
    assert new_machine.post("/kiosk/activate", data={"token": fresh.replace(" ", "-")}).status_code == 302
    assert new_machine.get("/kiosk/").status_code == 200
    assert client.get("/kiosk/").status_code == 403  # the old token was replaced


def test_wrong_codes_are_limited_per_address(client, login):
    _register(client, login)
    for _attempt in range(kiosk_service.CODE_ATTEMPTS):
        assert "Бұл код қате" in page_text(client.post("/kiosk/activate", data={"token": "0000 0000"}))
    client.get("/lang/ru")
    held = client.post("/kiosk/activate", data={"token": "0000 0001"})
    assert "Слишком много неудачных попыток" in page_text(held)
