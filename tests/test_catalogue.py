"""The service catalogue: 14 services, complete bilingual passports, deadlines and refusal grounds."""

import re
from datetime import datetime

from app.core.clock import ALMATY
from app.models.requests import CHANNELS
from app.services.calendar import get_calendar
from app.services.catalogue import PASSPORT_ROWS, SERVICES, DeadlineRule, get

KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
SHORT = 40  # a passport row this short may legitimately have no Kazakh-specific letter ("Электрондық" has)
ROW_KEYS = [key for key, _ in PASSPORT_ROWS]
REGISTRY_SLUGS = ("tb-certificate", "psychiatry-certificate", "narcology-certificate")


def _texts(service):
    yield "name", service.name
    for key in ROW_KEYS:
        yield key, service.passport[key]
    for code, ground in service.refusal_grounds.items():
        yield f"refusal ground {code}", ground


def test_fourteen_services_numbered_in_order():
    assert len(SERVICES) == 14
    assert [service.number for service in SERVICES] == list(range(1, 15))


def test_slugs_and_prefixes_are_unique():
    slugs = [service.slug for service in SERVICES]
    prefixes = [service.prefix for service in SERVICES]
    assert len(set(slugs)) == len(slugs)
    assert len(set(prefixes)) == len(prefixes)
    for service in SERVICES:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", service.slug), service.slug
        assert re.fullmatch(r"[A-Z]{2}", service.prefix), service.prefix
        assert get(service.slug) is service


def test_every_passport_has_the_eleven_rows_in_both_languages():
    assert len(ROW_KEYS) == 11
    for service in SERVICES:
        assert set(service.passport) == set(ROW_KEYS), service.slug
        for key in ROW_KEYS:
            text = service.passport[key]
            assert text.kk.strip() and text.ru.strip(), (service.slug, key)
        assert len(service.passport_rows()) == 11


def test_kazakh_differs_from_russian():
    for service in SERVICES:
        for what, text in _texts(service):
            assert text.kk.strip() != text.ru.strip(), (service.slug, what)


def test_kazakh_texts_are_kazakh():
    for service in SERVICES:
        for what, text in _texts(service):
            if what == "name" or len(text.kk) > SHORT:
                assert KAZAKH_LETTERS & set(text.kk), (service.slug, what, text.kk)


def test_russian_texts_are_russian():
    for service in SERVICES:
        for what, text in _texts(service):
            assert CYRILLIC.search(text.ru), (service.slug, what)
            assert not KAZAKH_LETTERS & set(text.ru), (service.slug, what, text.ru)


def test_every_channel_has_a_deadline_rule():
    for service in SERVICES:
        for channel in CHANNELS:
            rule = service.deadlines.get(channel) or service.deadlines.get("*")
            assert isinstance(rule, DeadlineRule), (service.slug, channel)
            assert rule.kind in {
                "minutes",
                "working_minutes",
                "working_days",
                "legal_working_days",
                "same_day",
                "elapsed_hours",
            }
            assert rule.amount > 0 or rule.kind == "same_day"


def _rule(slug, channel):
    service = get(slug)
    return service.deadlines.get(channel) or service.deadlines["*"]


def test_booking_deadlines():
    """002 item 14: «не более 10 минут при непосредственном обращении … 30 минут в электронном формате на
    портале». The lobby kiosk is a direct visit to the provider (issue 24 item 6): 10 minutes, not 30."""
    for slug in ("appointment", "home-visit"):
        for channel in ("desk", "phone", "kiosk"):
            assert _rule(slug, channel) == DeadlineRule("working_minutes", 10)
        assert _rule(slug, "web") == DeadlineRule("minutes", 30)


def test_a_kiosk_request_is_due_in_ten_minutes_of_a_working_day(app):
    received = datetime(2026, 11, 25, 10, 0, tzinfo=ALMATY)  # a Wednesday, the clinic open
    for slug in ("appointment", "home-visit"):
        due = get(slug).deadline_for("kiosk", received, get_calendar())
        assert due == datetime(2026, 11, 25, 10, 10, tzinfo=ALMATY)


def test_attachment_and_registry_deadlines():
    for channel in CHANNELS:
        assert _rule("attachment", channel) == DeadlineRule("same_day")  # issue 24 item 7
        for slug in REGISTRY_SLUGS:
            assert _rule(slug, channel) == DeadlineRule("minutes", 30)


def test_registry_services_refuse_only_without_consent():
    for slug in REGISTRY_SLUGS:
        assert list(get(slug).refusal_grounds) == ["no_consent"]


def test_attachment_refusal_grounds():
    """002 item 17: the four grounds of a direct request, and for an electronic one also «несоответствии
    нормам, предусмотренным статьей 40 Закона … «Об информатизации»» (issue 24 item 4)."""
    assert set(get("attachment").refusal_grounds) == {
        "requirements_not_met",
        "free_choice_once_a_year",
        "population_norm_exceeded",
        "attached_elsewhere",
        "informatization_law",
    }


def test_booking_refusal_grounds():
    """002 item 15: an electronic request is not accepted when it fails item 12 of the regulation or «статьей
    40 Закона … «Об информатизации»» (issue 24 item 4)."""
    for slug in ("appointment", "home-visit"):
        assert set(get(slug).refusal_grounds) == {
            "no_identity_document",
            "not_attached",
            "informatization_law",
        }
        assert "статьей 40" in get(slug).refusal_grounds["informatization_law"].ru


def test_built_services_say_where_to_start_and_the_rest_do_not():
    for service in SERVICES:
        assert service.sources
        assert (service.start_endpoint is not None or service.in_person) == service.built, service.slug
        assert not (service.in_person and service.start_endpoint), service.slug


def test_rows_from_the_national_standard_are_marked():
    """Issue 24 item 8: for services 7-13 the fee and the documents are not in 001 (it points to «стандартының
    9-тармағында»); the passport says they come from the national standard."""
    for number in range(7, 14):
        service = SERVICES[number - 1]
        assert {"fee", "documents"} <= service.from_national_standard, service.slug
    for number in range(1, 7):
        assert SERVICES[number - 1].from_national_standard == frozenset()


def test_the_passport_page_marks_the_rows_from_the_national_standard(client):
    client.get("/lang/ru")
    page = client.get("/services/inpatient-extract")
    text = page.get_data(as_text=True)
    assert "Из стандарта государственной услуги (приказ № 272)" in text
    assert text.count('class="passport__mark"') == 3  # fee, schedule, documents
    assert "Медицинские организации, оказывающие стационарную помощь" in text  # 001:1097, not the clinic


def test_the_home_call_deferral_is_the_clinics_own_arrangement():
    """Issue 24 item 5: 002 item 9 only accepts calls «до 18.00 часов»; registering a later call for the next
    working day is the clinic's arrangement, and the passport says so."""
    other = get("home-visit").passport["other"]
    assert "порядок самой поликлиники, регламент его не предусматривает" in other.ru
    assert "емхананың өз тәртібі" in other.kk


def test_the_attachment_passport_states_the_same_day_rule_with_its_cut_off():
    """Issue 24 item 7: 002's same-day rule with the 2-hour cut-off, read with 003's «бір жұмыс күні»."""
    term = get("attachment").passport["term"]
    assert "за 2 часа до окончания работы услугодателя" in term.ru and "следующего рабочего дня" in term.ru
    assert "2 сағат бұрын" in term.kk and "келесі жұмыс күні" in term.kk
