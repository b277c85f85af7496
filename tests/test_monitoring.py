"""Monitoring: figures for a seeded set of requests with known timings, computed again here independently."""

import csv
import io
import re
import statistics
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

import pytest
from flask_babel import force_locale

from app.core.actors import Actor
from app.core.clock import ALMATY, frozen_clock
from app.extensions import db
from app.models import AuditEntry
from app.services import catalogue, monitoring, survey
from app.services import requests as request_service
from tests.conftest import page_text
from tests.feedback_factories import make_patient

START = date(2026, 3, 1)
END = date(2026, 3, 31)
REPORT_MOMENT = datetime(2026, 3, 31, 12, 0, tzinfo=ALMATY)


def at(day: int, hour: int = 10, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ALMATY)


# service, channel, received at, steps as (seconds after receipt, kind, value). Kinds: "step" records a step,
# "status" moves to a status, "refuse" refuses on a ground, "cancel" calls the request off with that step
# (before or after its answer). Timings are chosen so medians, percentiles
# and deadlines are easy to check by hand too.
SPECS = [
    # TB information forms on the web: 30-minute deadline (regulation 004).
    ("tb-certificate", "web", at(2), [(60, "step", "registry_checked"), (600, "status", "completed")]),
    ("tb-certificate", "web", at(3), [(120, "step", "registry_checked"), (900, "status", "completed")]),
    ("tb-certificate", "web", at(4), [(180, "step", "registry_checked"), (2700, "status", "completed")]),
    ("tb-certificate", "kiosk", at(5), [(240, "step", "registry_checked"), (1500, "status", "completed")]),
    ("tb-certificate", "web", at(6), [(600, "step", "registry_checked"), (3600, "status", "completed")]),
    ("tb-certificate", "web", at(9), [(30, "refuse", "no_consent")]),
    # Appointments: web (30 minutes) and desk (10 working minutes).
    ("appointment", "web", at(10), [(300, "status", "completed")]),
    ("appointment", "desk", at(10, 11), [(240, "refuse", "not_attached")]),
    ("appointment", "phone", at(11, 9), [(120, "refuse", "not_attached")]),
    ("appointment", "desk", at(12, 9), [(900, "refuse", "no_identity_document")]),
    ("appointment", "web", at(13), [(60, "status", "cancelled")]),
    # Still open, long past the deadline: overdue now.
    ("tb-certificate", "web", at(20), [(30, "status", "awaiting_registry")]),
    # Received before the period: counted nowhere in March.
    (
        "tb-certificate",
        "web",
        at(27, month=2),
        [(60, "step", "registry_checked"), (120, "status", "completed")],
    ),
]


def _seed(specs) -> list:
    patient = make_patient()
    made = []
    for service, channel, received, steps in specs:
        with frozen_clock(received):
            request = request_service.create_request(
                service, channel=channel, actor=Actor.system(), subject=patient
            )
        for seconds, kind, value in steps:
            with frozen_clock(received + timedelta(seconds=seconds)):
                if kind == "step":
                    request_service.record_step(request, value, actor=Actor.system())
                elif kind == "status":
                    request_service.transition(request, value, actor=Actor.system())
                elif kind == "cancel":
                    request_service.cancel(request, actor=Actor.patient(), step=value)
                else:
                    request_service.refuse(request, value, actor=Actor.system())
        made.append(request)
    db.session.commit()
    return made


def _in_period(specs):
    return [spec for spec in specs if START <= spec[2].date() <= END]


def _expected_stages(specs) -> dict[tuple[str, str], list[float]]:
    """Stage durations straight from the specs: the event log starts with "submitted"."""
    stages = defaultdict(list)
    for service, _channel, _received, steps in _in_period(specs):
        previous_name, previous_at = "submitted", 0
        for seconds, kind, value in steps:
            name = {"step": value, "status": value, "refuse": "refused", "cancel": value}[kind]
            stages[(service, f"{previous_name} -> {name}")].append(seconds - previous_at)
            previous_name, previous_at = name, seconds
    return stages


def _assert_stages_match(report, specs) -> dict:
    """Every stage's count, median and 95th percentile equal the ones computed here from `specs`."""
    expected = _expected_stages(specs)
    got = {(t.service.slug, t.stage): t for t in report.stages}
    assert set(got) == set(expected)
    for key, values in expected.items():
        assert got[key].count == len(values)
        assert got[key].median_seconds == pytest.approx(statistics.median(values))
        assert got[key].p95_seconds == pytest.approx(_p95(values))
    return got


def _p95(values):
    # statistics' "inclusive" method is the linear interpolation between closest ranks.
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]


@pytest.fixture
def seeded(app):
    made = _seed(SPECS)
    with frozen_clock(at(25, 12)):
        completed = [r for r in made if r.status == "completed" and r.created_at.month == 3]
        for request, (process, information) in zip(
            completed,
            [("satisfied", "satisfied"), ("satisfied", "partly_satisfied"), ("not_satisfied", "satisfied")],
            strict=False,
        ):
            survey.record_answer(request, process=process, information=information)
    db.session.commit()
    return made


def test_report_figures_match_an_independent_computation(app, seeded):
    with frozen_clock(REPORT_MOMENT):
        report = monitoring.build_report(monitoring.Period(START, END))

    in_period = _in_period(SPECS)
    # Requests by channel, per service.
    expected_channels = Counter((service, channel) for service, channel, _r, _s in in_period)
    for row in report.services:
        for channel, count in row.by_channel.items():
            assert count == expected_channels[(row.service.slug, channel)], (row.service.slug, channel)
    assert report.total_requests == len(in_period) == 12

    # Time per stage: count, median and 95th percentile of each stage.
    got = _assert_stages_match(report, SPECS)
    tb_check = got[("tb-certificate", "submitted -> registry_checked")]
    assert (tb_check.median_seconds, tb_check.p95_seconds) == (180, pytest.approx(528))  # by hand too

    # Answered within the deadline: completed or refused, completed_at <= deadline_at.
    calendar = request_service.get_calendar()
    in_time, answered = Counter(), Counter()
    for service, channel, received, steps in in_period:
        seconds, kind, value = steps[-1]
        if kind == "refuse" or (kind == "status" and value == "completed"):
            deadline = catalogue.get(service).deadline_for(channel, received, calendar)
            answered[service] += 1
            in_time[service] += received + timedelta(seconds=seconds) <= deadline
    for row in report.services:
        assert (row.answered, row.answered_in_time) == (answered[row.service.slug], in_time[row.service.slug])
    tb = next(row for row in report.services if row.service.slug == "tb-certificate")
    assert (tb.answered, tb.answered_in_time) == (6, 4)  # 45 and 60 minutes are late
    assert tb.share_in_time == pytest.approx(4 / 6)

    # Refusals by ground, named from the catalogue.
    refusals = {(r.service.slug, r.ground): r.count for r in report.refusals}
    assert refusals == {
        ("tb-certificate", "no_consent"): 1,
        ("appointment", "not_attached"): 2,
        ("appointment", "no_identity_document"): 1,
    }
    names = {r.ground: r.ground_name for r in report.refusals}
    assert names["not_attached"] == catalogue.get("appointment").refusal_grounds["not_attached"].kk

    # Overdue now: only the open request.
    assert [item.number for item in report.overdue] == [seeded[11].number]

    # Survey answers, counted per question.
    by_question = {result.question: result.counts for result in report.survey}
    assert by_question["process"] == {"not_satisfied": 1, "partly_satisfied": 0, "satisfied": 2}
    assert by_question["information"] == {"not_satisfied": 0, "partly_satisfied": 1, "satisfied": 2}


# Cancelled requests (March 16-19 2026, Monday to Thursday): a cancellation after the answer must not undo
# the answer, and a cancellation is never a refusal.
CANCELLED_SPECS = [
    # Booked within the 30-minute web deadline, cancelled by the patient the next day: answered in time.
    (
        "appointment",
        "web",
        at(16),
        [
            (60, "step", "registry_checked"),
            (300, "status", "completed"),
            (86400, "cancel", "booking_cancelled"),
        ],
    ),
    # Booked 45 minutes after the web request, then cancelled: answered, late.
    ("appointment", "web", at(17), [(2700, "status", "completed"), (9900, "cancel", "booking_cancelled")]),
    # Called off before any answer: neither answered nor refused.
    ("appointment", "web", at(18), [(120, "cancel", "booking_cancelled")]),
    ("appointment", "desk", at(19, 9), [(240, "refuse", "not_attached")]),
    # A home call by phone: window given within 5 minutes, called off an hour later: answered in time.
    ("home-visit", "phone", at(16, 9), [(300, "status", "completed"), (3600, "cancel", "call_cancelled")]),
]


def test_requests_cancelled_after_their_answer_still_count_as_answered(app):
    made = _seed(CANCELLED_SPECS)
    assert [request.status for request in made] == [
        "cancelled",
        "cancelled",
        "cancelled",
        "refused",
        "cancelled",
    ]
    assert made[0].completed_at == at(16, 10, 5), "cancelling keeps the moment of the answer"
    with frozen_clock(REPORT_MOMENT):
        report = monitoring.build_report(monitoring.Period(START, END))

    # Answered: every request whose log reached "completed" or a refusal, whatever came after; by that moment.
    calendar = request_service.get_calendar()
    answered, in_time = Counter(), Counter()
    for service, channel, received, steps in CANCELLED_SPECS:
        answer = next(
            (
                seconds
                for seconds, kind, value in steps
                if kind == "refuse" or (kind, value) == ("status", "completed")
            ),
            None,
        )
        if answer is not None:
            answered[service] += 1
            deadline = catalogue.get(service).deadline_for(channel, received, calendar)
            in_time[service] += received + timedelta(seconds=answer) <= deadline
    assert (answered["appointment"], in_time["appointment"]) == (3, 2)  # the late booking and the refusal
    for row in report.services:
        assert (row.answered, row.answered_in_time) == (answered[row.service.slug], in_time[row.service.slug])
    appointment_row = next(row for row in report.services if row.service.slug == "appointment")
    assert appointment_row.share_in_time == pytest.approx(2 / 3)
    assert report.total_requests == 5

    # A cancellation is no refusal.
    assert {(r.service.slug, r.ground): r.count for r in report.refusals} == {
        ("appointment", "not_attached"): 1
    }

    # Stages: the answer stages of cancelled requests are kept; the cancellation is a stage of its own.
    got = _assert_stages_match(report, CANCELLED_SPECS)
    assert got[("appointment", "submitted -> completed")].count == 1
    assert got[("appointment", "registry_checked -> completed")].median_seconds == 240
    assert got[("appointment", "submitted -> booking_cancelled")].count == 1
    assert got[("home-visit", "completed -> call_cancelled")].median_seconds == 3300
    labels = {t.stage: t.label for t in report.stages}
    with force_locale("ru"):
        assert monitoring.step_label("booking_cancelled") == "Запись отменена"
    assert "→" in labels["completed -> booking_cancelled"]
    assert not report.overdue


def test_one_service_and_a_narrower_period(app, seeded):
    with frozen_clock(REPORT_MOMENT):
        report = monitoring.build_report(
            monitoring.Period(date(2026, 3, 10), date(2026, 3, 12)), "appointment"
        )
    assert [row.service.slug for row in report.services] == ["appointment"]
    assert report.total_requests == 4
    assert {t.service.slug for t in report.stages} == {"appointment"}
    assert [item.number for item in report.overdue] == [], "the overdue TB request is another service"


def test_percentile_uses_linear_interpolation():
    assert monitoring.percentile([10], 0.95) == 10
    assert monitoring.percentile([1, 2, 3, 4], 0.5) == 2.5
    assert monitoring.percentile([60, 120, 180, 240, 600], 0.95) == pytest.approx(528)


@pytest.mark.parametrize(
    ("language", "title", "by_channel"),
    [
        ("kk", "Қызметтер мониторингі", "Арналар бойынша өтінімдер"),
        ("ru", "Мониторинг услуг", "Заявки по каналам"),
    ],
    ids=["kk", "ru"],
)
def test_the_head_sees_the_page_with_charts(client, login, seeded, language, title, by_channel):
    client.set_cookie("emhana_lang", language, domain="localhost")
    login("head")
    with frozen_clock(REPORT_MOMENT):
        response = client.get("/staff/monitoring?date_from=2026-03-01&date_to=2026-03-31&service=")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = page_text(response)
    assert title in text and by_channel in text
    assert html.count("<svg") >= 5 and "<script" not in html.split("<main", 1)[1]
    # A dashboard: figures, then the charts, and the tables only after them, one at a time behind tabs.
    main = html.split("<main", 1)[1]
    assert main.index("monitoring-summary") < main.index("<svg") < main.index('id="monitoring-tables"')
    assert main.count("<table") == 1 and seeded[11].number not in text
    assert "66,7" in text or "66.7" in text  # TB answered in time: 4 of 6
    labels = re.findall(r'<text class="chart__label"[^>]*>([^<]*)<title>', html)
    stage_chart = html.split('id="chart-stages-title"', 1)[1].split("</svg>", 1)[0]
    stage_labels = re.findall(r'<text class="chart__label"[^>]*>([^<]*)<title>', stage_chart)
    assert labels and len(stage_labels) == len(set(stage_labels))  # no two stages read alike
    with frozen_clock(REPORT_MOMENT):
        overdue = client.get(
            "/staff/monitoring?date_from=2026-03-01&date_to=2026-03-31&service=&tab=overdue",
            headers={"HX-Request": "true"},
        )
        every = client.get("/staff/monitoring?date_from=2026-03-01&date_to=2026-03-31&service=&tab=all")
    assert overdue.get_data(as_text=True).lstrip().startswith('<section id="monitoring-tables"')
    assert seeded[11].number in page_text(overdue)  # the overdue list
    ground = catalogue.get("appointment").refusal_grounds["not_attached"].in_language(language)
    assert ground in page_text(every) and seeded[11].number in page_text(every)
    entry = db.session.query(AuditEntry).filter_by(object_type="monitoring").order_by(AuditEntry.id).first()
    assert "2026-03-01..2026-03-31" in entry.detail


def test_the_page_defaults_to_this_month(client, login, seeded):
    login("head")
    with frozen_clock(REPORT_MOMENT):
        response = client.get("/staff/monitoring")
    assert response.status_code == 200
    assert 'value="2026-03-01"' in response.get_data(as_text=True)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_bad_period_is_explained_and_shows_no_figures(client, login, language):
    client.set_cookie("emhana_lang", language, domain="localhost")
    login("admin")
    response = client.get("/staff/monitoring?date_from=2026-03-31&date_to=2026-03-01")
    assert response.status_code == 422
    expected = {"kk": "Кезеңнің соңы басынан бұрын тұр.", "ru": "Конец периода раньше его начала."}[language]
    assert expected in page_text(response)
    assert client.get("/staff/monitoring?date_from=soon&date_to=2026-03-01").status_code == 422
    assert client.get("/staff/monitoring.csv?date_from=2025-01-01&date_to=2026-03-01").status_code == 422


def test_csv_export_with_semicolons_for_excel(client, login, seeded):
    """Excel with Russian or Kazakh regional settings opens a comma-separated file in one column."""
    client.set_cookie("emhana_lang", "ru", domain="localhost")
    login("head")
    with frozen_clock(REPORT_MOMENT):
        page = client.get("/staff/monitoring?date_from=2026-03-01&date_to=2026-03-31&service=")
        response = client.get("/staff/monitoring.csv?date_from=2026-03-01&date_to=2026-03-31&service=&sep=;")
    assert "sep=;" in page.get_data(as_text=True) or "sep=%3B" in page.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Раздел", "Услуга", "Показатель", "Мера", "Значение"]


def test_csv_export_has_the_same_figures(client, login, seeded):
    client.set_cookie("emhana_lang", "ru", domain="localhost")
    login("head")
    with frozen_clock(REPORT_MOMENT):
        response = client.get("/staff/monitoring.csv?date_from=2026-03-01&date_to=2026-03-31&service=")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "monitoring-all-2026-03-01-2026-03-31.csv" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == ["Раздел", "Услуга", "Показатель", "Мера", "Значение"]
    tb_name = catalogue.get("tb-certificate").name.ru
    ap_name = catalogue.get("appointment").name.ru
    assert ["Заявки по каналам", tb_name, "Сайт", "заявки", "6"] in rows
    assert ["Заявки по каналам", tb_name, "Киоск", "заявки", "1"] in rows
    assert ["Заявки по каналам", ap_name, "Регистратура", "заявки", "2"] in rows
    assert ["Ответ в срок", tb_name, "", "доля", "0.6667"] in rows
    assert ["Время по этапам", tb_name, "submitted -> registry_checked", "медиана, секунд", "180.0"] in rows
    assert [
        "Время по этапам",
        tb_name,
        "submitted -> registry_checked",
        "95-й процентиль, секунд",
        "528.0",
    ] in rows
    not_attached = catalogue.get("appointment").refusal_grounds["not_attached"].ru
    assert ["Отказы по основаниям", ap_name, not_attached, "отказы", "2"] in rows
    assert ["Просроченные заявки сейчас", tb_name, seeded[11].number, "срок", "2026-03-20 10:30"] in rows
    question = str(survey.QUESTION_TEXTS["process"])
    assert any(row[0] == "Опрос удовлетворённости" and row[4] == "2" for row in rows), question


@pytest.mark.parametrize(
    ("role", "status"), [("head", 200), ("admin", 200), ("registrar", 403), ("doctor", 403)]
)
def test_access_per_role(client, login, role, status):
    login(role)
    assert client.get("/staff/monitoring").status_code == status
    assert client.get("/staff/monitoring.csv").status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/staff/monitoring")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
