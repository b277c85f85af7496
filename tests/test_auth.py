"""Staff sign-in: start pages per role, wrong passwords, lockout, idle timeout, deactivation, sign-out,
password hashing, the audit of sign-ins, `flask create-user`, and CSRF protection."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, StaffMember
from app.services.clinic import list_districts
from app.services.staff_accounts import find_by_username
from tests.conftest import TEST_PASSWORD, page_text

WRONG_PASSWORD = {
    "kk": "Пайдаланушы аты немесе құпиясөз қате.",
    "ru": "Неверное имя пользователя или пароль.",
}
LOCKED = {
    "kk": "Бұл компьютерден сәтсіз әрекеттер тым көп. 15 минуттан кейін қайталап көріңіз.",
    "ru": "Слишком много неудачных попыток с этого компьютера. Повторите через 15 мин.",
}
DESK = {"REMOTE_ADDR": "10.20.0.15"}  # the registrar's own computer
ELSEWHERE = {"REMOTE_ADDR": "10.66.0.9"}  # someone guessing at another
SESSION_ENDED = {
    "kk": "Әрекетсіздікке байланысты сеанс аяқталды. Жүйеге қайта кіріңіз.",
    "ru": "Сеанс завершён из-за бездействия. Войдите снова.",
}


@pytest.fixture(autouse=True)
def cheap_password_hashing(app):
    """Argon2id at a test cost: the demo clinic alone hashes nine passwords."""
    app.config["PASSWORD_HASH_PARAMETERS"] = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


def sign_in(client, username, password=TEST_PASSWORD, **kwargs):
    return client.post("/staff/login", data={"username": username, "password": password}, **kwargs)


def use_language(client, language):
    client.get(f"/lang/{language}")


@pytest.mark.parametrize(
    ("roles", "start_page", "heading"),
    [
        (("admin",), "/admin/", "Әкімшілік"),
        (("head",), "/staff/head", "Емхана басшысы"),
        (("doctor",), "/staff/doctor", "Дәрігер"),
        (("registrar",), "/staff/registrar", "Тіркеу бөлімі"),
        # Several roles: the most senior start page wins, the others stay reachable from the menu.
        (("doctor", "head"), "/staff/head", "Емхана басшысы"),
    ],
)
def test_each_role_lands_on_its_own_start_page(client, make_staff, demo_clinic, roles, start_page, heading):
    make_staff("someone", roles=roles)
    response = sign_in(client, "someone")
    assert response.status_code == 302
    assert response.headers["Location"] == start_page
    page = client.get(start_page)
    assert page.status_code == 200
    assert heading in page_text(page)
    # The bare staff address sends a signed-in person to the same place.
    assert client.get("/staff/").headers["Location"] == start_page


def test_sign_in_follows_a_safe_next_address_only(client, make_staff):
    make_staff("desk", roles=("registrar",))
    response = sign_in(client, "desk", query_string={"next": "https://evil.example/steal"})
    assert response.headers["Location"] == "/staff/registrar"
    client.post("/staff/logout")
    response = sign_in(client, "desk", query_string={"next": "/staff/registrar?tab=today"})
    assert response.headers["Location"] == "/staff/registrar?tab=today"


def test_username_is_not_case_sensitive(client, make_staff):
    make_staff("a.nurlanova", roles=("registrar",))
    assert sign_in(client, "A.Nurlanova").status_code == 302


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_wrong_password_is_refused_with_a_message_in_the_users_language(client, make_staff, language):
    make_staff("desk", roles=("registrar",))
    use_language(client, language)
    for username in ("desk", "nobody-here"):  # the same answer whether or not the account exists
        response = sign_in(client, username, "not-the-password")
        assert response.status_code == 200
        text = page_text(response)
        assert WRONG_PASSWORD[language] in text
        assert f'value="{username}"' in response.get_data(as_text=True)  # what was typed is kept
    assert client.get("/staff/registrar").status_code == 302


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_repeated_failures_hold_the_username_at_that_address_for_the_lockout(
    app, client, make_staff, frozen, language
):
    """Issue 13, item 2: «staff lockout by account and address without username enumeration»."""
    frozen(2026, 11, 23, 9, 0)
    make_staff("desk", roles=("registrar",))
    use_language(client, language)
    failures = app.config["LOGIN_MAX_FAILURES"]
    for _attempt in range(failures - 1):
        assert WRONG_PASSWORD[language] in page_text(sign_in(client, "desk", "guess-guess-guess"))
    assert LOCKED[language] in page_text(sign_in(client, "desk", "guess-guess-guess"))

    # While held even the right password is refused, with the same message.
    frozen(2026, 11, 23, 9, 1)
    response = sign_in(client, "desk")
    assert response.status_code == 200
    assert LOCKED[language].replace("15", "14") in page_text(response)

    lockout_minutes = int(app.config["LOGIN_LOCKOUT"] / timedelta(minutes=1))
    frozen(2026, 11, 23, *divmod(9 * 60 + lockout_minutes + 1, 60))
    response = sign_in(client, "desk")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/registrar"


def test_a_stranger_guessing_elsewhere_does_not_lock_the_user_out_of_their_desk(app, make_staff):
    """«a lockout from one address must not lock the real user out from their desk»."""
    make_staff("desk", roles=("registrar",))
    stranger, owner = app.test_client(), app.test_client()
    for _attempt in range(3 * app.config["LOGIN_MAX_FAILURES"]):
        sign_in(stranger, "desk", "guess-guess-guess", environ_base=ELSEWHERE)
    assert LOCKED["kk"] in page_text(sign_in(stranger, "desk", environ_base=ELSEWHERE))
    response = sign_in(owner, "desk", environ_base=DESK)
    assert response.status_code == 302 and response.headers["Location"] == "/staff/registrar"


def test_the_answer_is_the_same_for_an_unknown_username_and_a_wrong_password(app, make_staff):
    """«the failure answer must be identical for unknown users and wrong passwords»: the same page, the same
    hold after the same number of tries, so the form does not tell which usernames exist."""
    make_staff("desk", roles=("registrar",))
    pages = {}
    for username in ("desk", "nobody-here"):
        client = app.test_client()
        pages[username] = [
            page_text(sign_in(client, username, "guess-guess-guess", environ_base=ELSEWHERE)).replace(
                username, "USER"
            )
            for _attempt in range(app.config["LOGIN_MAX_FAILURES"] + 1)
        ]
    assert pages["desk"] == pages["nobody-here"]
    assert LOCKED["kk"] in pages["desk"][-1]


def test_one_address_trying_many_usernames_is_held(app, client, make_staff):
    make_staff("desk", roles=("registrar",))
    per_address = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    for number in range(per_address):
        sign_in(client, f"user{number}", "guess-guess-guess", environ_base=ELSEWHERE)
    assert LOCKED["kk"] in page_text(sign_in(client, "desk", environ_base=ELSEWHERE))
    assert sign_in(app.test_client(), "desk", environ_base=DESK).status_code == 302


def test_failures_below_the_limit_are_forgotten_after_a_successful_sign_in(app, client, make_staff):
    make_staff("desk", roles=("registrar",))
    failures = app.config["LOGIN_MAX_FAILURES"]
    for _attempt in range(failures - 1):
        sign_in(client, "desk", "guess-guess-guess")
    assert sign_in(client, "desk").status_code == 302
    client.post("/staff/logout")
    for _attempt in range(failures - 1):
        sign_in(client, "desk", "guess-guess-guess")
    assert sign_in(client, "desk").status_code == 302


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_idle_session_ends_and_the_login_page_says_so(app, client, make_staff, frozen, language):
    frozen(2026, 11, 23, 9, 0)
    make_staff("desk", roles=("registrar",))
    use_language(client, language)
    sign_in(client, "desk")
    assert client.get("/staff/registrar").status_code == 200

    # Activity keeps the session alive: the timeout counts from the last request.
    idle_minutes = int(app.config["STAFF_IDLE_TIMEOUT"] / timedelta(minutes=1))
    frozen(2026, 11, 23, *divmod(9 * 60 + idle_minutes - 1, 60))
    assert client.get("/staff/registrar").status_code == 200

    frozen(2026, 11, 23, *divmod(9 * 60 + 2 * idle_minutes, 60))
    response = client.get("/staff/registrar")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")
    assert "expired=1" in response.headers["Location"]
    login_page = client.get(response.headers["Location"])
    assert SESSION_ENDED[language] in page_text(login_page)
    # The session is really gone, not just redirected once.
    assert client.get("/staff/registrar").headers["Location"].startswith("/staff/login")


def test_deactivated_account_cannot_sign_in_and_its_open_session_ends(client, make_staff):
    desk = make_staff("desk", roles=("registrar",))
    sign_in(client, "desk")
    assert client.get("/staff/registrar").status_code == 200

    desk.is_active_account = False
    db.session.commit()
    assert client.get("/staff/registrar").headers["Location"].startswith("/staff/login")
    response = sign_in(client, "desk")
    assert response.status_code == 200
    assert WRONG_PASSWORD["kk"] in page_text(response)


def test_sign_out_is_post_only(client, login):
    login("registrar")
    assert client.get("/staff/logout").status_code == 405
    assert client.get("/staff/registrar").status_code == 200
    response = client.post("/staff/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/login"
    assert client.get("/staff/registrar").headers["Location"].startswith("/staff/login")


def test_a_staff_session_moved_to_another_browser_is_dropped(client, login):
    # Strong session protection: a copied staff cookie used from another browser signs nobody in.
    login("registrar")
    assert client.get("/staff/registrar").status_code == 200
    stolen = client.get("/staff/registrar", headers={"User-Agent": "another-browser/1.0"})
    assert stolen.headers["Location"].startswith("/staff/login")


def test_a_visitor_session_is_not_rewritten_on_every_page(client):
    client.get("/")  # the first page sets the session (its CSRF token)
    for path in ("/", "/services", "/appointments/"):
        assert client.get(path).headers.getlist("Set-Cookie") == [], path


def test_real_installations_hash_with_argon2ids_recommended_cost(app):
    from app.services.staff_accounts import hash_password

    app.config["PASSWORD_HASH_PARAMETERS"] = {}
    assert hash_password(TEST_PASSWORD).startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_passwords_are_stored_as_argon2id_hashes(app, make_staff):
    staff = make_staff("desk", roles=("registrar",))
    assert staff.password_hash.startswith("$argon2id$")
    assert TEST_PASSWORD not in staff.password_hash
    other = make_staff("desk2", roles=("registrar",))
    assert other.password_hash != staff.password_hash  # salted


def test_sign_in_sign_out_and_failed_sign_in_are_audited(client, make_staff):
    desk = make_staff("desk", roles=("registrar",))
    sign_in(client, "desk", "not-the-password", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    sign_in(client, "desk", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    client.post("/staff/logout", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    sign_in(client, "ghost", "whatever-it-is")

    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.staff_id) for e in entries] == [
        ("login_failed", desk.id),
        ("login", desk.id),
        ("logout", desk.id),
        ("login_failed", None),
    ]
    assert all(entry.ip == "10.1.2.3" for entry in entries[:3])
    assert entries[3].detail == "ghost"


def test_create_user_command(app, runner):
    result = runner.invoke(
        args=[
            "create-user",
            "--username",
            "a.omarova",
            "--full-name",
            "Айгүл Омарова",
            "--role",
            "doctor",
            "--role",
            "head",
            "--speciality",
            "therapist",
            "--password",
            "long-enough-secret-7",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "a.omarova" in result.output
    staff = db.session.scalars(select(StaffMember).where(StaffMember.username == "a.omarova")).one()
    assert staff.roles == {"doctor", "head"}
    assert staff.speciality == "therapist"
    assert staff.password_hash.startswith("$argon2id$")


@pytest.mark.parametrize(
    "password",
    ["short-1", "1234567890", "aaaaaaaaaaaa", "my-a.omarova-pass"],
    ids=["too-short", "common", "repeated", "contains-username"],
)
def test_create_user_command_rejects_weak_passwords(app, runner, password):
    result = runner.invoke(
        args=[
            "create-user",
            "--username",
            "a.omarova",
            "--full-name",
            "Айгүл Омарова",
            "--role",
            "registrar",
            "--password",
            password,
        ]
    )
    assert result.exit_code != 0
    assert "Error" in result.output
    assert find_by_username("a.omarova") is None


def test_create_user_command_rejects_unknown_roles_and_taken_usernames(app, runner, make_staff):
    make_staff("taken", roles=("registrar",))
    unknown = runner.invoke(
        args=[
            "create-user",
            "--username",
            "x1",
            "--full-name",
            "X",
            "--role",
            "janitor",
            "--password",
            "p" * 12,
        ]
    )
    assert unknown.exit_code != 0
    taken = runner.invoke(
        args=[
            "create-user",
            "--username",
            "taken",
            "--full-name",
            "X",
            "--role",
            "registrar",
            "--password",
            "long-enough-secret-7",
        ]
    )
    assert taken.exit_code != 0
    assert find_by_username("x1") is None


# ---- CSRF --------------------------------------------------------------------------------------------


def _csrf_token(client, path="/staff/login") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.mark.parametrize(
    ("language", "title", "advice"),
    [
        ("kk", "Сұранысты түсіну мүмкін болмады", "Пішіннің мерзімі өтті"),
        ("ru", "Не удалось понять запрос", "Срок действия формы истёк"),
    ],
)
def test_a_post_without_the_csrf_token_is_refused_in_the_users_language(
    csrf_app, client, make_staff, demo_clinic, language, title, advice
):
    make_staff("boss", roles=("admin",))
    use_language(client, language)
    refused = sign_in(client, "boss")
    assert refused.status_code == 400
    assert title in page_text(refused)
    assert advice in page_text(refused)
    assert client.get("/admin/").status_code == 302  # not signed in

    token = _csrf_token(client)
    signed_in = client.post(
        "/staff/login", data={"username": "boss", "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 302

    # A change without the token is refused and changes nothing; with the token (as htmx sends it) it works.
    district = {"number": "7", "kind": "gp", "population_norm": "1700"}
    response = client.post("/admin/districts/new", data=district)
    assert response.status_code == 400
    assert title in page_text(response)
    assert "7" not in [str(d.number) for d in list_districts()]
    form_token = _csrf_token(client, "/admin/districts/new")
    accepted = client.post(
        "/admin/districts/new",
        data=district,
        headers={"X-CSRFToken": form_token},
    )
    assert accepted.status_code == 303
    assert 7 in [d.number for d in list_districts()]
