"""The access matrix: every staff and admin route declares its roles, and every role gets exactly that.

Built from `app.url_map` and the `allowed_roles` that `roles_required` stores on each view, so a route added
later is covered without editing this file. URL parameters are filled with ids of real rows where the name
says which table they point at (`staff_id`, `district_id`, `patient_id`, ...); a wrong role must be refused
before the view even looks the row up, so a guessed value is enough to check refusals.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.clock import local_now
from app.extensions import db
from app.models import Base, CalendarException, Patient, StaffMember
from app.models.staff import ROLES
from tests.conftest import page_text

# Signing in and out is for everyone (signing out everywhere: for whoever is signed in, whatever the role).
OPEN_ENDPOINTS = {"auth.login", "auth.logout", "auth.logout_everywhere"}
# Routes that need a signed-in staff member of any role and decide nothing else themselves.
LOGIN_ONLY_ENDPOINTS = {"staff.show_start"}
# Views that, past the role check, also check the object: an allowed role may still get 403 for a row that is
# not theirs. Each names why; the role check itself (anonymous, wrong role) is tested as for any other view.
OBJECT_LEVEL_CHECKS = {
    "complaints.show_receipt": "a registrar sees only the receipts of complaints they took",
    "documents.print_document": "an HIV certificate's PDF is sealed: only the HIV rooms print it (service 7)",
}
STAFF_PREFIXES = ("/staff", "/admin")
CHANGING_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# URL parameters whose table the generic name-to-table guess would not find.
PARAMETER_TABLES = {"staff_id": "staff_member", "exception_id": "calendar_exception"}
PARAMETER_SAMPLES = {
    "number": ("service_request", "number"),
    "iin": ("patient", "iin"),
    "slug": None,
    "service": None,
}
FALLBACK_STRING = "AP-2026-000001"


@pytest.fixture(autouse=True)
def cheap_password_hashing(app):
    """Argon2id at a test cost: the demo clinic alone hashes nine passwords."""
    app.config["PASSWORD_HASH_PARAMETERS"] = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


def staff_rules(app):
    """Every rule under /staff and /admin, and any other rule whose view declares roles."""
    rules = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in OPEN_ENDPOINTS or rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        if rule.rule.startswith(STAFF_PREFIXES) or hasattr(view, "allowed_roles"):
            rules.append(rule)
    return sorted(rules, key=lambda rule: rule.rule)


def allowed_roles(app, rule) -> frozenset[str]:
    if rule.endpoint in LOGIN_ONLY_ENDPOINTS:
        return frozenset(ROLES)
    return app.view_functions[rule.endpoint].allowed_roles


def _first_value(table_name: str, column: str):
    table = Base.metadata.tables.get(table_name)
    if table is None:
        return None
    return db.session.execute(select(table.c[column]).order_by(table.c.id).limit(1)).scalar()


def _table_for(parameter: str) -> str | None:
    if parameter in PARAMETER_TABLES:
        return PARAMETER_TABLES[parameter]
    base = parameter.removesuffix("_id")
    names = sorted(Base.metadata.tables)
    for candidates in (
        [name for name in names if name == base],
        [name for name in names if name.endswith(f"_{base}")],
        [name for name in names if name.startswith(f"{base}_")],
    ):
        if len(candidates) == 1:
            return candidates[0]
    return None


def sample_value(parameter: str, converter: str, service_slug: str):
    if converter.endswith("IntegerConverter"):  # werkzeug's, or app.input_guard's bounded one
        table = _table_for(parameter)
        value = _first_value(table, "id") if table else None
        return value if value is not None else 1
    if parameter in PARAMETER_SAMPLES:
        sample = PARAMETER_SAMPLES[parameter]
        if sample is None:
            return service_slug
        value = _first_value(*sample)
        return value if value is not None else FALLBACK_STRING
    return FALLBACK_STRING


def build_url(app, rule, service_slug="appointment") -> str:
    values = {
        name: sample_value(name, type(converter).__name__, service_slug)
        for name, converter in rule._converters.items()
    }
    with app.test_request_context():
        return app.url_for(rule.endpoint, _external=False, **values)


# The browser's own session (app/sessions.py: a refused visitor is sent to the login page with a message
# kept in their session) is the visitor's, not the clinic's data.
NOT_CLINIC_DATA = {"web_session"}


def database_snapshot() -> dict:
    db.session.expire_all()
    snapshot = {}
    for table in Base.metadata.sorted_tables:
        if table.name in NOT_CLINIC_DATA:
            continue
        rows = db.session.execute(select(table)).all()
        snapshot[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return snapshot


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/staff/login")


@pytest.fixture
def matrix_data(app, demo_clinic):
    """The demo clinic plus one row of each kind the staff pages take ids of."""
    from app.core.actors import Actor
    from app.services import requests as service_requests

    # A future weekday declared a day off, so the calendar pages have an exception to show and remove.
    day = local_now().date() + timedelta(days=30)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    db.session.add(CalendarException(day=day, is_working=False, note="matrix"))
    patient = db.session.scalars(select(Patient).order_by(Patient.id)).first()
    service_requests.create_request("appointment", channel="desk", actor=Actor.system(), subject=patient)
    db.session.commit()


def test_every_staff_route_declares_its_roles(app):
    rules = staff_rules(app)
    endpoints = {rule.endpoint for rule in rules}
    # The foundation's own pages, so a broken enumeration cannot pass by finding nothing.
    assert {"admin.show_dashboard", "admin.list_staff", "staff.show_registrar_start"} <= endpoints
    undeclared = [
        rule.rule
        for rule in rules
        if rule.endpoint not in LOGIN_ONLY_ENDPOINTS
        and not getattr(app.view_functions[rule.endpoint], "allowed_roles", None)
    ]
    assert not undeclared, f"add @roles_required(...) to: {undeclared}"
    unknown = {
        rule.rule: sorted(allowed_roles(app, rule) - set(ROLES))
        for rule in rules
        if allowed_roles(app, rule) - set(ROLES)
    }
    assert not unknown, f"roles that do not exist: {unknown}"


def test_object_level_exceptions_name_real_views(app):
    assert set(OBJECT_LEVEL_CHECKS) <= set(app.view_functions), "remove entries for views that are gone"


def test_every_admin_page_is_for_admins_only(app):
    admin_rules = [rule for rule in staff_rules(app) if rule.rule.startswith("/admin")]
    assert admin_rules
    assert {rule.rule: allowed_roles(app, rule) for rule in admin_rules} == {
        rule.rule: frozenset({"admin"}) for rule in admin_rules
    }


@pytest.mark.parametrize("role", [None, *ROLES], ids=["anonymous", *ROLES])
def test_each_role_opens_exactly_the_pages_it_is_allowed(app, client, login, matrix_data, role):
    if role:
        login(role, username=f"matrix-{role}")
    problems = []
    for rule in staff_rules(app):
        if "GET" not in rule.methods:
            continue
        url = build_url(app, rule)
        response = client.get(url)
        if role is None:
            if not is_login_redirect(response):
                problems.append(f"anonymous GET {url}: {response.status_code}, expected the login page")
        elif role in allowed_roles(app, rule):
            refused = response.status_code == 403 and rule.endpoint not in OBJECT_LEVEL_CHECKS
            if refused or is_login_redirect(response):
                problems.append(f"{role} GET {url}: {response.status_code}, but the role is allowed")
        elif response.status_code != 403:
            problems.append(f"{role} GET {url}: {response.status_code}, expected 403")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", [None, *ROLES], ids=["anonymous", *ROLES])
def test_a_refused_change_changes_nothing(app, client, login, matrix_data, role):
    if role:
        login(role, username=f"matrix-{role}")
    problems = []
    checked = 0
    for rule in staff_rules(app):
        methods = [method for method in CHANGING_METHODS if method in rule.methods]
        if not methods or (role is not None and role in allowed_roles(app, rule)):
            continue
        url = build_url(app, rule)
        for method in methods:
            before = database_snapshot()
            # A plausible form, so a missing check cannot hide behind "the form was empty".
            response = client.open(url, method=method, data={"number": "99", "active": "0", "kind": "gp"})
            checked += 1
            if role is None and not is_login_redirect(response):
                problems.append(f"anonymous {method} {url}: {response.status_code}, expected the login page")
            if role is not None and response.status_code != 403:
                problems.append(f"{role} {method} {url}: {response.status_code}, expected 403")
            if database_snapshot() != before:
                problems.append(f"{role or 'anonymous'} {method} {url} changed the database")
    assert not problems, "\n".join(problems)
    if role in (None, "registrar"):
        assert checked, "no state-changing staff route was checked"


def test_login_only_routes_still_need_a_signed_in_person(app, client, login):
    for endpoint in LOGIN_ONLY_ENDPOINTS:
        with app.test_request_context():
            url = app.url_for(endpoint)
        assert is_login_redirect(client.get(url))
    login("registrar")
    for endpoint in LOGIN_ONLY_ENDPOINTS:
        with app.test_request_context():
            url = app.url_for(endpoint)
        assert client.get(url).status_code in (200, 302)
        assert not is_login_redirect(client.get(url))


@pytest.mark.parametrize(
    ("language", "message"),
    [("kk", "Бұл бетке кіруге рұқсатыңыз жоқ"), ("ru", "У вас нет доступа к этой странице")],
)
def test_a_registrar_cannot_open_the_admin_pages(client, login, demo_clinic, language, message):
    login("registrar", username="desk-matrix")
    client.get(f"/lang/{language}")
    response = client.get("/admin/staff")
    assert response.status_code == 403
    assert message in page_text(response)
    assert "Омарова" not in page_text(response)  # no staff list leaks into the error page


def test_a_signed_in_person_keeps_only_their_roles_after_an_admin_removes_one(app, client, make_staff):
    """Roles are read on every request, so a removed role stops working at once, without signing out."""
    member = make_staff("two-hats", roles=("registrar", "head"))
    client.post("/staff/login", data={"username": "two-hats", "password": "correct-horse-battery"})
    assert client.get("/staff/head").status_code == 200
    from app.services.staff_accounts import set_roles

    set_roles(db.session.get(StaffMember, member.id), {"registrar"})
    db.session.commit()
    assert client.get("/staff/head").status_code == 403
    assert client.get("/staff/registrar").status_code == 200


def test_sample_values_point_at_real_rows(app, matrix_data):
    """The id guesses the matrix relies on find the demo rows (so allowed roles see real pages, not 404s)."""
    assert _table_for("staff_id") == "staff_member"
    assert _table_for("district_id") == "district"
    assert _table_for("patient_id") == "patient"
    assert _table_for("exception_id") == "calendar_exception"
    assert sample_value("district_id", "IntegerConverter", "appointment") == _first_value("district", "id")
    assert isinstance(sample_value("number", "UnicodeConverter", "appointment"), str)
