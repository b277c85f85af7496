"""No raw key on a kk or ru page (issue 14): every staff page (as each role allowed to open it) and every
patient page (as an anonymous visitor and as a signed-in patient), in Kazakh and in Russian, is scanned for
Latin identifiers (`sms_booked`, `audit_log`, `submitted`, `staff #1`) in its visible text. Internal keys go
through label tables; what may stay Latin is allow-listed: usernames, codes people read as they are (IIN,
PDF, CSV, QR, SMS, JPEG, ...), request and document numbers, ICD-10 codes, addresses of the site.

Built from `app.url_map`, so a page added later is scanned without editing this file.
"""

import re

import pytest
from sqlalchemy import func, select

from app.core.actors import Actor
from app.extensions import db
from app.models import Patient, ServiceRequest, StaffMember
from app.models.staff import ROLES
from app.services import requests as service_requests
from app.services.registry_csv import COLUMNS
from tests.conftest import page_text
from tests.test_access_matrix import allowed_roles, build_url, staff_rules

LANGUAGES = ("kk", "ru")
# Words people read as they are, in any language.
ALLOWED_WORDS = {
    "IIN",
    "PDF",
    "CSV",
    "QR",
    "SMS",
    "JPEG",
    "JPG",
    "PNG",
    "ID",
    "ICD",
    "MKB",
    "HTTP",
    "HTTPS",
    "URL",
    "API",
    "OK",
    "WCAG",
    "Excel",
    "UTF-8",
    "SHA-256",
    "YYYY-MM-DD",
    "DD.MM.YYYY",
    # The local registry's CSV columns, named in the import instructions exactly as the file must have them.
    *COLUMNS,
}
ALLOWED_PATTERNS = (
    re.compile(r"^[A-Z]{2,4}-\d{4}-\d{6}$"),  # request and document numbers
    re.compile(r"^[A-Z]{2,4}-\d{3,}$"),  # clinic and register codes (EMH-0007)
    re.compile(r"^[a-z]+\.[a-z]+$"),  # a username as an example (a.nurlanova)
    re.compile(r"^[\w.-]+\.(kz|ru|com|org)$"),  # web addresses
    re.compile(r"^[A-Z]\d{2}(\.\d{1,2})?$"),  # ICD-10 codes
    re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]$"),  # HIV testing's personal codes (XXXX-XXXX-C)
    re.compile(r"^S[A-Z0-9]{7}$"),  # HIV testing's sample numbers
    re.compile(r"^[A-Z]{2}-[A-Z]{2}-\d{4}-\d{6}$"),  # the Hospitalization Bureau's referral codes
    re.compile(r"^\+?\d"),
)
LATIN = re.compile(r"(?<![\w@/.:-])[A-Za-z][A-Za-z0-9_#.\-]*[A-Za-z0-9_]|(?<![\w@/.:-])[A-Za-z](?![\w])")
SKIPPED_SUFFIXES = (".pdf", ".csv", ".ics", ".png", ".jpg", ".xml", ".json", ".txt")


@pytest.fixture(autouse=True)
def cheap_password_hashing(app):
    app.config["PASSWORD_HASH_PARAMETERS"] = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


def raw_keys(text: str, usernames: set[str]) -> set[str]:
    found = set()
    for token in LATIN.findall(text):
        token = token.strip(".-")
        if not token or token in ALLOWED_WORDS or token in usernames:
            continue
        if any(pattern.match(token) for pattern in ALLOWED_PATTERNS):
            continue
        found.add(token)
    return found


# An element marked translate="no" holds what is not language text on purpose (a username, a technical
# note of the audit log, a gateway's error): HTML's own mark for it.
NOT_LANGUAGE = re.compile(r'<(\w+)[^>]*\btranslate="no"[^>]*>.*?</\1>', re.S)


class _Html:
    def __init__(self, html: str) -> None:
        self.html = html

    def get_data(self, as_text=True) -> str:
        return self.html


def _scan(client, url: str, usernames: set[str]) -> set[str]:
    response = client.get(url)
    if response.status_code != 200 or not response.content_type.startswith("text/html"):
        return set()
    html = NOT_LANGUAGE.sub(" ", response.get_data(as_text=True))
    # Emails and web addresses are addresses, not keys; °C is the unit of a temperature.
    text = re.sub(r"\S+@\S+|https?://\S+|/\S+|°C", " ", page_text(_Html(html)))
    return raw_keys(text, usernames)


def _public_rules(app):
    staff = {rule.endpoint for rule in staff_rules(app)}
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods
            and rule.endpoint not in staff
            and rule.endpoint != "static"
            and not rule.rule.endswith(SKIPPED_SUFFIXES)
        ),
        key=lambda rule: rule.rule,
    )


@pytest.fixture
def scanned_clinic(app, demo_clinic):
    patient = db.session.scalars(select(Patient).order_by(Patient.id)).first()
    service_requests.create_request("appointment", channel="desk", actor=Actor.system(), subject=patient)
    db.session.commit()
    return patient


def _urls(app, rule) -> list[str]:
    """The rule's URL; one per service for a page of a request number, so each service's request page (its
    history, its steps) is scanned, not only the first request's."""
    if "number" not in rule.arguments:
        return [build_url(app, rule)]
    numbers = db.session.scalars(
        select(func.min(ServiceRequest.number)).group_by(ServiceRequest.service)
    ).all()
    urls = []
    for number in numbers:
        values = {name: number if name == "number" else None for name in rule.arguments}
        if any(value is None for value in values.values()):
            return [build_url(app, rule)]
        with app.test_request_context():
            urls.append(app.url_for(rule.endpoint, **values))
    return urls


def _usernames() -> set[str]:
    """Usernames and the words of staff names (test accounts have Latin names): data, not keys."""
    names = set()
    for username, full_name in db.session.execute(select(StaffMember.username, StaffMember.full_name)):
        names.add(username)
        names.update(full_name.split())
    return names


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_staff_page_shows_a_raw_key(app, client, login, scanned_clinic, role, language):
    login(role, username=f"scan-{role}")
    client.set_cookie("emhana_lang", language, domain="localhost")
    usernames = _usernames()
    problems = {}
    for rule in staff_rules(app):
        if (
            "GET" not in rule.methods
            or role not in allowed_roles(app, rule)
            or rule.rule.endswith(SKIPPED_SUFFIXES)
        ):
            continue
        for url in _urls(app, rule):
            found = _scan(client, url, usernames)
            if found:
                problems[url] = sorted(found)
    assert not problems, "\n".join(f"{url}: {keys}" for url, keys in problems.items())


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_patient_page_shows_a_raw_key(app, client, scanned_clinic, language):
    client.set_cookie("emhana_lang", language, domain="localhost")
    usernames = _usernames()
    problems = {}
    for signed_in in (False, True):
        if signed_in:
            with client.session_transaction() as session:
                session["patient_iin"] = scanned_clinic.iin
                session["patient_seen_at"] = 1e12
        for rule in _public_rules(app):
            for url in _urls(app, rule):
                found = _scan(client, url, usernames)
                if found:
                    problems[url] = sorted(found)
    assert not problems, "\n".join(f"{url}: {keys}" for url, keys in problems.items())


def test_the_scan_finds_a_raw_key():
    assert raw_keys("Кезең: sms_booked, staff #1, AP-2026-000001, IIN, J06.9", {"registrar"}) == {
        "sms_booked",
        "staff",
    }
