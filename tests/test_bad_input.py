"""The standing bad-input corpus: every route, for every role, with every kind of bad input.

Issue 13, item 7: "A standing bad-input corpus test: one parametrized test walks `url_map`, fills every form
and query parameter of every route with a corpus (huge integers, negative ids, NUL, bidi, 100 KB strings, SQL
and HTML injection, malformed dates and times, wrong content types) for every role, on SQLite and on
PostgreSQL, and asserts: no 5xx, messages in the page's language, no row changed. New routes are covered
automatically." Item 3: "Every input bounded and normalised before it reaches the database: integers in range
(404 or a form error, never a 500), NUL and other control characters rejected or stripped, bidi controls
removed from text that is printed, lengths capped; every WTForms message in kk/ru."

It runs on the database the suite runs on: SQLite, or PostgreSQL with TEST_DATABASE_URL (`make
test-postgres`), where integers past 2**31 and NUL bytes used to be 500s.

How a route is walked (the demo clinic plus one object of each kind the routes take ids of; every role signed
in on a client of its own):
1. A probe, by every role: the route with real values in its path and an empty form. The request's parameter
   storage records every name the view (its forms included) asks for: those are the route's fields, so a
   field or a route added later is filled without editing this file. The probe is checked like every request.
   Roles whose probes got the same answer (status and redirect) and read the same fields are treated alike
   by the route (all refused with 403, all sent to sign in, all shown the same form): they are one group,
   and steps 2 and 3 are sent by one role of each group, in turn (the route's place in the walk), so a route
   that answers one role differently (an object-level check, a role's own form) is walked for each answer.
   This is what keeps the walk to minutes: 16 roles make 2-3 groups on most routes.
2. For each payload class of CORPUS (one of its variants, in turn), the payload in every path parameter
   (real values elsewhere), and the payload in every field (real path; a POST as multipart, a GET in the
   query string); a route with no fields gets it under an unknown name. A route the role may not open (403,
   or the staff sign-in page) reads no field, so it gets each class once, in its path or its query.
3. For a changing route the role may use, bodies of the wrong kind: JSON with nested values, a web page that
   starts with %PDF under every field as a file, and in turn broken JSON, plain text or a program.
Every request is checked: no 5xx (nor an exception, which the test app lets through); an HTML page is in the
visitor's language (kk or ru, alternating) and shows no WTForms message in English; the HTML payload comes
back escaped; and the database: a refused request (4xx) changes no row, nor does any GET; whatever a request
did change holds only clean values (no control or bidi characters, no text longer than its column or than the
largest text any form takes, no integer outside PostgreSQL's `integer`). A payload that is a valid value for
every field of a form (a free-text note on a one-click cancel) may be saved: that is the form working.
Writes to the audit log (staff reads are audited) and to the limits' counters are bookkeeping, always allowed.

Sign-out routes run last, so the rest run signed in; each role's session cookie is put back before each of
its requests. The routes are dealt to SHARES tests, so the walk spreads over pytest-xdist's workers.
WeasyPrint is replaced by a stub (the documents' templates are still rendered with every payload): the PDF
engine is tested in tests/test_documents.py, and real renders would cost minutes here.
"""

import contextlib
import importlib
import json
import re
import time
import traceback
from dataclasses import dataclass, field
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

import pytest
import wtforms
from babel.messages.pofile import read_po
from flask import Flask
from flask_wtf import FlaskForm
from sqlalchemy import Integer, event, select
from werkzeug.test import encode_multipart

from app import documents as pdf_engine
from app.core.clock import local_now
from app.core.inputs import BIDI_CONTROLS, CONTROL_CHARACTERS, INT_MAX, INT_MIN
from app.extensions import db
from app.forms import DEFAULT_MAX_TEXT, Form, SubForm
from app.models import (
    Base,
    CalendarException,
    DoctorSchedule,
    Document,
    KioskDevice,
    Patient,
    RegistryPerson,
    ServiceRequest,
    SmsMessage,
    StaffMember,
)
from app.models.staff import ROLES
from tests.conftest import TEST_PASSWORD, page_text

# ---- the corpus ------------------------------------------------------------------------------------------
# Payload classes, each with its variants. A route gets one variant of every class, in turn (the route's
# place in the walk plus the role's), so across routes and roles every variant is sent.
CORPUS = {
    "huge integer": {
        "huge integer": "99999999999999999999999",
        "integer past 2**31": "2147483648",
        "digits int() cannot read": "12\u00b2\u00b3 \u0661\u0662",
    },
    "negative id": {"negative id": "-1"},
    "100 KB": {
        "100 KB of digits": "9" * 102_400,
        "100 KB of text": "Ж" * 51_200,  # two bytes each in UTF-8
    },
    "control characters": {
        "NUL": "adm\x00in",
        "control characters": "ab\x1b[31m\x07\x7fcd\x85",
    },
    "bidi": {"bidi controls": "\u202eabc\u202c \u2066Абай 10\u2069 \u202a\u202b\u202d"},
    "SQL injection": {"SQL injection": "' OR '1'='1'; DROP TABLE patient; -- %_"},
    "HTML injection": {"HTML injection": '"><script>alert(1)</script><img src=x onerror=alert(1)>'},
    "date": {
        "malformed date": "2026-02-30",
        "far date": "9999-12-31",
        "ancient date": "0001-01-01",
    },
    "time": {"malformed time": "25:61", "time with a date": "2026-11-25T10:00"},
    # Past the default cap of a line; past a name column (100); past a number or code column (20).
    "too long": {"a line too long": "Ә" * 1001, "a name too long": "Ә" * 101, "a code too long": "7" * 21},
}
# Sent in form bodies only (the class's first variant goes in URLs): percent-encoded, 100 KB of Cyrillic is
# 600 KB that Python's unquote takes milliseconds over, and the digits already put 100 KB in URLs.
BODY_ONLY = {"100 KB of text"}
HTML_MARK = "<script>alert(1)</script>"
LANGUAGES = ("kk", "ru")
ROLE_NAMES = ("anonymous", "patient", *ROLES)

# Writes any request may make: reads of a person's data are audited, attempts are counted, and the session
# (a flash message, a form's CSRF token) is kept on the server (app/sessions.py).
BOOKKEEPING_TABLES = {"audit_entry", "rate_limit_hit", "web_session"}
# A GET may also record that a patient saw a result (certificates.record_view: "an event in the request's
# log").
# A form staff print when they need it (a talon, a team's route list) is issued at its first print
# (documents.issue_once, the booking's talon_for); printing the same content again gives the same document.
READ_RECORDS = {"request_event", "document", "document_counter"}
SIGN_OUT_ENDPOINTS = {"kiosk.reset"}  # and every endpoint named *sign_out or *logout


def _is_sign_out(endpoint: str) -> bool:
    return endpoint.endswith(("sign_out", "logout")) or endpoint in SIGN_OUT_ENDPOINTS


def _wtforms_messages() -> list[str]:
    """WTForms' own English messages: none may show on a kk or ru page."""
    pot = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"
    with pot.open("rb") as handle:
        catalog = read_po(handle)
    messages = []
    for message in catalog:
        for text in message.id if isinstance(message.id, tuple) else (message.id,):
            # The part before the first placeholder is enough to recognise it.
            head = re.split(r"%\(|%s|'%", text)[0].strip()
            if len(head) >= 8:
                messages.append(head)
    return messages


ENGLISH_MESSAGES = _wtforms_messages()


# ---- watching the database -------------------------------------------------------------------------------
@dataclass
class Write:
    table: str
    verb: str
    values: list[dict]


@dataclass
class WriteLog:
    """Every INSERT, UPDATE and DELETE committed, with the values written (engine events, so nothing that
    reaches the database is missed, and nothing is read back)."""

    pending: list[Write] = field(default_factory=list)
    committed: list[Write] = field(default_factory=list)

    def attach(self, engine) -> None:
        event.listen(engine, "after_cursor_execute", self._executed)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._rollback)

    def detach(self, engine) -> None:
        event.remove(engine, "after_cursor_execute", self._executed)
        event.remove(engine, "commit", self._commit)
        event.remove(engine, "rollback", self._rollback)

    def _executed(self, connection, cursor, statement, parameters, context, executemany):
        verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        if verb not in ("INSERT", "UPDATE", "DELETE"):
            return
        compiled = getattr(context, "compiled", None)
        table = getattr(getattr(compiled, "statement", None), "table", None)
        name = getattr(table, "name", None) or _table_named_in(statement)
        values = getattr(context, "compiled_parameters", None) or []
        self.pending.append(Write(name, verb, [dict(v) for v in values if isinstance(v, dict)]))

    def _commit(self, connection):
        self.committed += self.pending
        self.pending = []

    def _rollback(self, connection):
        self.pending = []

    def take(self) -> list[Write]:
        committed, self.committed = self.committed, []
        return committed


def _table_named_in(statement: str) -> str:
    found = re.search(r"(?:INTO|UPDATE|FROM)\s+\"?(\w+)", statement, re.I)
    return found.group(1) if found else "?"


def unclean_values(write: Write) -> list[str]:
    """What in a committed write is not bounded and normalised."""
    table = Base.metadata.tables.get(write.table)
    found = []
    for values in write.values:
        for key, value in values.items():
            column = table.c.get(key) if table is not None else None
            for text in _strings_in(value):
                if CONTROL_CHARACTERS.search(text) or BIDI_CONTROLS.search(text):
                    found.append(f"{write.table}.{key}: control or bidi characters {text[:40]!r}")
                length = getattr(getattr(column, "type", None), "length", None)
                if len(text) > (length or DEFAULT_MAX_TEXT):
                    found.append(f"{write.table}.{key}: {len(text)} characters")
            if (
                isinstance(value, int)
                and not isinstance(value, bool)
                and column is not None
                and type(column.type) is Integer
                and not INT_MIN <= value <= INT_MAX
            ):
                found.append(f"{write.table}.{key}: integer {value}")
    return found


def _strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings_in(item)
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from _strings_in(item)


# ---- recording the names a view asks for ---------------------------------------------------------------
class Asked:
    names: set[str] | None = None  # while probing


def _recording_storage(base):
    class RecordingMultiDict(base):
        """Request parameters that note every name asked for (get, getlist, [], in) while probing."""

        def _note(self, key):
            if Asked.names is not None and isinstance(key, str):
                Asked.names.add(key)

        def get(self, key, default=None, type=None):
            self._note(key)
            return super().get(key, default=default, type=type)

        def getlist(self, key, type=None):
            self._note(key)
            return super().getlist(key, type=type)

        def __getitem__(self, key):
            self._note(key)
            return super().__getitem__(key)

        def __contains__(self, key):
            self._note(key)
            return super().__contains__(key)

    return RecordingMultiDict


def _recording_app(app: Flask) -> None:
    base = app.request_class
    app.request_class = type(
        "RecordingRequest",
        (base,),
        {"parameter_storage_class": _recording_storage(base.parameter_storage_class)},
    )


# ---- the clinic the routes run against ----------------------------------------------------------------
def _one_blank_page_pdf() -> bytes:
    """The smallest well-formed PDF (one blank A4 page, a correct xref): the engine signs it (issue 21)."""
    objects = (
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    )
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


class StubHTML:
    """WeasyPrint's HTML, answering every document with the same small PDF (see the module's doc)."""

    PDF = _one_blank_page_pdf()

    def __init__(self, string: str = "", **kwargs):
        assert isinstance(string, str)

    def write_pdf(self, **kwargs) -> bytes:
        return self.PDF


@pytest.fixture
def corpus_clinic(app, demo_clinic, monkeypatch):
    """The demo clinic, plus a day off, a doctor's absence, a kiosk, a booking, a home call and an
    information form request, so every route that takes an id finds a real one."""
    from app.core.actors import Actor
    from app.services import appointments, certificates, home_visits, kiosk, schedules

    monkeypatch.setattr(pdf_engine, "HTML", StubHTML)
    day = local_now().date() + timedelta(days=30)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    db.session.add(CalendarException(day=day, is_working=False, note="corpus"))
    doctor = db.session.scalars(select(StaffMember).where(StaffMember.username == "therapist1")).one()
    schedules.add_exception(doctor, day=day, kind="training", note="corpus", actor=Actor.system())
    kiosk.register_device("corpus kiosk")
    patient = _patient_with_a_phone()
    for offset in range(1, 8):
        slots = appointments.free_slots(doctor, local_now().date() + timedelta(days=offset))
        if slots:
            appointments.book_appointment(
                patient, doctor, slots[0].starts_at, actor=Actor.patient(), channel="web"
            )
            break
    # The rules may refuse the call at this hour: the journal still has it.
    with contextlib.suppress(home_visits.HomeVisitError):
        home_visits.call_doctor(
            patient,
            home_visits.CallDetails(
                address="Абай даңғылы 1", complaint="Қызу", callback_phone="+77011234567"
            ),
            actor=Actor.patient(),
            channel="web",
        )
    certificates.request_form(
        "tb",
        applicant_iin=patient.iin,
        subject_iin=patient.iin,
        channel="web",
        actor=Actor.applicant(),
        language="kk",
    )
    db.session.commit()
    return patient


def _patient_with_a_phone() -> Patient:
    return db.session.scalars(select(Patient).where(Patient.phone != "").order_by(Patient.id)).first()


# ---- real values for the path ----------------------------------------------------------------------------
ID_TABLES = {
    "staff_id": StaffMember,
    "doctor_id": StaffMember,
    "device_id": KioskDevice,
    "document_id": Document,
}


def _first_id(table_name: str):
    table = Base.metadata.tables.get(table_name)
    if table is None:
        return None
    return db.session.execute(select(table.c.id).order_by(table.c.id).limit(1)).scalar()


def _service_slugs(endpoint: str) -> set[str]:
    name = endpoint.split(".")[0].removeprefix("desk_")
    try:
        package = importlib.import_module(f"app.services.{name}")
    except ImportError:
        return set()
    slugs = getattr(package, "SERVICE_SLUGS", None) or {getattr(package, "SERVICE", None)}
    return {slug for slug in slugs if slug}


def real_value(rule, name: str, converter) -> str:
    kind = type(converter).__name__
    if kind == "AnyConverter":
        return next(iter(converter.items)) if hasattr(converter, "items") else "tb"
    if kind == "PathConverter":
        return "css/emhana.css"
    if kind.endswith("IntegerConverter"):
        if name == "doctor_id":
            return str(_doctor_id())
        if name == "exception_id":
            table = "schedule_exception" if "schedules" in rule.rule else "calendar_exception"
            return str(_first_id(table) or 1)
        model = ID_TABLES.get(name)
        table = model.__tablename__ if model else name.removesuffix("_id")
        if name == "file_id":
            table = "attachment_file"
        return str(_first_id(table) or 1)
    if name == "number":
        slugs = _service_slugs(rule.endpoint)
        query = select(ServiceRequest.number).order_by(ServiceRequest.id)
        if slugs:
            query = query.where(ServiceRequest.service.in_(slugs))
        return db.session.scalars(query.limit(1)).first() or "AP-2026-000001"
    if name == "iin":
        return db.session.scalars(select(RegistryPerson.iin).limit(1)).first()
    if name == "slug":
        return "appointment"
    if name == "code" and rule.endpoint == "public.set_language":
        return "ru"
    return "AP-2026-000001"


def _doctor_id() -> int:
    return db.session.scalars(select(DoctorSchedule.doctor_id).order_by(DoctorSchedule.doctor_id)).first()


_PARAMETER = re.compile(r"<(?:[^>]*:)?([A-Za-z_]\w*)>")


def url_with(rule, values: dict) -> str:
    return _PARAMETER.sub(lambda match: quote(values[match.group(1)], safe=""), rule.rule)


# ---- the run ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Probe:
    url: str
    real: dict
    fields: tuple[str, ...]
    refused: bool
    answer: tuple | None  # (status, Location); None for an exception

    def kind(self) -> tuple:
        """Roles whose probes of a route got the same answer and read the same fields are treated alike by
        it: one of them takes the corpus for all."""
        return (self.answer, self.fields)


@dataclass
class Outcome:
    requests: int = 0
    routes: int = 0
    problems: list[str] = field(default_factory=list)


def _routes(app) -> list[tuple]:
    """(rule, method) for every route, sign-outs last."""
    routes = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]
    return sorted(routes, key=lambda item: (_is_sign_out(item[0].endpoint), item[0].rule, item[1]))


class Walker:
    def __init__(self, app, client, role: str, writes: WriteLog):
        self.app, self.client, self.role, self.writes = app, client, role, writes
        self.session_cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        self.outcome = Outcome()
        self.turn = 0
        self.probes: dict[str, int] = {}  # endpoint -> the probe's status

    def send(self, label: str, url: str, method: str, payload: str | None = None, **kwargs):
        language = LANGUAGES[self.turn % 2]
        self.turn += 1
        cookie_name = self.app.config["SESSION_COOKIE_NAME"]
        if self.session_cookie is None:
            self.client.delete_cookie(cookie_name)
        else:
            self.client.set_cookie(cookie_name, self.session_cookie.value)
        self.client.set_cookie(self.app.config["LANGUAGE_COOKIE"], language)
        self.writes.take()
        where = f"{self.role} {method} {url[:120]} [{label}]"
        self.outcome.requests += 1
        try:
            response = self.client.open(url, method=method, **kwargs)
        except Exception as error:  # the test app lets exceptions through: each one is a 500
            db.session.rollback()
            frames = [f for f in traceback.extract_tb(error.__traceback__) if "/app/" in f.filename]
            at = f" at {frames[-1].filename.split('/app/')[-1]}:{frames[-1].lineno}" if frames else ""
            self.outcome.problems.append(f"{where}: {type(error).__name__}: {str(error)[:160]}{at}")
            self.writes.take()
            return None
        self.check(where, method, response, language, payload)
        return response

    def check(self, where, method, response, language, payload):
        problems = self.outcome.problems
        if response.status_code >= 500:
            problems.append(f"{where}: {response.status_code}")
        for write in self.writes.take():
            if write.table in BOOKKEEPING_TABLES:
                continue
            if response.status_code >= 400:
                problems.append(f"{where}: refused with {response.status_code} but wrote {write.table}")
            elif method == "GET" and write.table not in READ_RECORDS:
                problems.append(f"{where}: a GET wrote {write.table}")
            problems += [f"{where}: stored {problem}" for problem in unclean_values(write)]
        if response.mimetype != "text/html" or 300 <= response.status_code < 400:
            return
        html = response.get_data(as_text=True)
        if "<html" in html and f'<html lang="{language}"' not in html:
            problems.append(f"{where}: the page is not in {language}")
        if payload is not None and HTML_MARK in payload and HTML_MARK in html:
            problems.append(f"{where}: the HTML payload came back unescaped")
        if "<form" in html or "error" in html:
            text = page_text(response)
            english = [message for message in ENGLISH_MESSAGES if message in text]
            if english:
                problems.append(f"{where}: English on a {language} page: {english[:3]}")

    def probe(self, rule, method: str) -> "Probe":
        """The route with real values in its path and an empty form: what it answers, the fields it reads."""
        real = {name: real_value(rule, name, converter) for name, converter in rule._converters.items()}
        url = url_with(rule, real)
        Asked.names = set()
        try:
            response = self.send("probe", url, method, data={"_probe": "1"} if method != "GET" else None)
            fields = tuple(sorted(Asked.names - {"_probe", "csrf_token"})) or ("unknown",)
        finally:
            Asked.names = None
        if response is not None and method == "GET":
            self.probes[rule.endpoint] = response.status_code
        # A route this role may not open reads no field: one request per class is enough for it.
        refused = response is None or response.status_code in (401, 403) or _to_sign_in(response)
        answer = None if response is None else (response.status_code, response.headers.get("Location"))
        return Probe(url, real, fields, refused, answer)

    def walk(self, rule, method: str, probe: "Probe", turn: int) -> None:
        """Every payload class (one variant, chosen by `turn`) in the path and in every field the probe saw
        the route read; for a changing route the role may use, bodies of the wrong kind."""
        self.outcome.routes += 1
        url, real, fields, refused = probe.url, probe.real, list(probe.fields), probe.refused
        for variants in CORPUS.values():
            label, payload = list(variants.items())[turn % len(variants)]
            in_url = (label, payload) if label not in BODY_ONLY else next(iter(variants.items()))
            if real:
                bad_url = url_with(rule, dict.fromkeys(real, in_url[1]))
                self.send(f"{in_url[0]} in the path", bad_url, method, in_url[1])
                if refused:
                    continue
            if method == "GET":
                self.send(in_url[0], url, method, in_url[1], query_string=dict.fromkeys(fields, in_url[1]))
            else:
                # Multipart, as a browser may send it: 100 KB is not percent-encoded (slow to decode), and
                # encoded here in memory (the test client would spool a large body to an unclosed file).
                boundary, body = encode_multipart(dict.fromkeys(fields, payload))
                content_type = f"multipart/form-data; boundary={boundary}"
                self.send(label, url, method, payload, data=body, content_type=content_type)
        if method != "GET" and not refused:
            self.send_wrong_bodies(url, method, fields, turn)

    def send_wrong_bodies(self, url: str, method: str, fields: list[str], turn: int) -> None:
        nested = {name: {"$gt": [INT_MAX + 1, None, True]} for name in fields}
        self.send("JSON body", url, method, data=json.dumps(nested), content_type="application/json")
        polyglot = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"
        files = {name: (BytesIO(polyglot), "scan.pdf") for name in fields}
        self.send(
            "a web page as a PDF in every field", url, method, data=files, content_type="multipart/form-data"
        )
        other = turn % 3
        if other == 0:
            self.send("broken JSON", url, method, data='{"a": ', content_type="application/json")
        elif other == 1:
            self.send("plain text body", url, method, data="a=1&b=2", content_type="text/plain")
        else:
            program = {name: (BytesIO(b"MZ\x90\x00" + b"\x00" * 64), "a\u202egpj.exe") for name in fields}
            self.send("a program", url, method, data=program, content_type="multipart/form-data")


def _to_sign_in(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/staff/login")


def _sign_in(client, role: str, make_staff, patient: Patient) -> None:
    if role == "anonymous":
        return
    if role == "patient":
        assert client.post("/appointments/code", data={"iin": patient.iin}).status_code == 200
        message = db.session.scalars(
            select(SmsMessage).where(SmsMessage.phone == patient.phone).order_by(SmsMessage.id.desc())
        ).first()
        code = re.search(r"\b(\d{6})\b", message.text).group(1)
        response = client.post("/appointments/code/check", data={"code": code})
        assert response.status_code == 303, page_text(response)
        return
    make_staff(username=f"corpus-{role}", roles=(role,))
    response = client.post("/staff/login", data={"username": f"corpus-{role}", "password": TEST_PASSWORD})
    assert response.status_code == 302


# The routes are dealt round-robin to this many tests (each walks its share for every role), so the walk
# spreads over pytest-xdist's workers. Sign-outs stay last in every share.
SHARES = 6


@pytest.mark.parametrize("share", range(SHARES))
def test_no_bad_input_breaks_a_route_or_reaches_the_database(app, make_staff, corpus_clinic, share):
    """Every role probes every route of the share; the roles whose probes got the same answer and read the
    same fields (the route treats them alike: all refused, all sent to sign in, all shown the same form) are
    one group, and one of them, in turn, takes the whole corpus for the group."""
    _recording_app(app)
    routes = _routes(app)
    assert len(routes) > 140, "the walk found too few routes"
    writes = WriteLog()
    walkers = {}
    for role in ROLE_NAMES:
        client = app.test_client()
        _sign_in(client, role, make_staff, corpus_clinic)
        walkers[role] = Walker(app, client, role, writes)
    writes.attach(db.engine)
    started = time.monotonic()
    try:
        for index, (rule, method) in enumerate(routes):
            if index % SHARES != share:
                continue
            groups: dict[tuple, list[tuple[str, Probe]]] = {}
            for role, walker in walkers.items():
                probe = walker.probe(rule, method)
                groups.setdefault(probe.kind(), []).append((role, probe))
            for group in groups.values():
                role, probe = group[index % len(group)]
                walkers[role].walk(rule, method, probe, turn=index + ROLE_NAMES.index(role))
    finally:
        writes.detach(db.engine)
    requests = sum(walker.outcome.requests for walker in walkers.values())
    walked = sum(walker.outcome.routes for walker in walkers.values())
    print(
        f"\nshare {share}: {len(routes[share::SHARES])} routes probed by {len(walkers)} roles, "
        f"{walked} walks of {len(CORPUS)} payload classes ({sum(map(len, CORPUS.values()))} payloads, "
        f"in the path, the fields, wrong bodies): {requests} requests in {time.monotonic() - started:.1f} s"
    )
    # Every role stayed signed in for the walk (sign-outs come last), so its own pages were really walked.
    for role, walker in walkers.items():
        probes = walker.probes
        if role == "patient" and "appointments.choose_slot" in probes:
            assert probes["appointments.choose_slot"] == 200
        elif role not in ("anonymous", "patient"):
            if "staff.show_start" in probes:
                assert probes["staff.show_start"] == 302, role
            if "admin.list_staff" in probes:
                assert probes["admin.list_staff"] in (200, 403), role
            if "staff.show_head_start" in probes:
                assert probes["staff.show_head_start"] == (200 if role == "head" else 403), role
    problems = [problem for walker in walkers.values() for problem in walker.outcome.problems]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:80])


# ---- the shared mechanism is used everywhere ------------------------------------------------------------
def _subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def test_every_form_of_the_app_is_bounded(app):
    """Every form derives from app.forms.Form (a nested one from SubForm), so no field escapes the bounds
    and every WTForms message is translated."""
    flask_forms = {cls for cls in _subclasses(FlaskForm) if cls.__module__.startswith("app.")}
    plain_forms = {
        cls
        for cls in _subclasses(wtforms.Form)
        if cls.__module__.startswith("app.") and not issubclass(cls, FlaskForm)
    }
    assert len(flask_forms) > 40
    assert [cls.__qualname__ for cls in flask_forms if not issubclass(cls, Form)] == []
    assert [cls.__qualname__ for cls in plain_forms] == []
    assert issubclass(SubForm, Form)
