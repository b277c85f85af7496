"""The service catalogue: 14 services, complete bilingual passports, deadlines and refusal grounds."""

import re

from app.models.requests import CHANNELS
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
            assert rule.kind in {"minutes", "working_minutes", "working_days", "same_day"}
            assert rule.amount > 0 or rule.kind == "same_day"


def _rule(slug, channel):
    service = get(slug)
    return service.deadlines.get(channel) or service.deadlines["*"]


def test_booking_deadlines():
    for slug in ("appointment", "home-visit"):
        for channel in ("desk", "phone"):
            assert _rule(slug, channel) == DeadlineRule("working_minutes", 10)
        for channel in ("web", "kiosk"):
            assert _rule(slug, channel) == DeadlineRule("minutes", 30)


def test_attachment_and_registry_deadlines():
    for channel in CHANNELS:
        assert _rule("attachment", channel) == DeadlineRule("working_days", 1)
        for slug in REGISTRY_SLUGS:
            assert _rule(slug, channel) == DeadlineRule("minutes", 30)


def test_registry_services_refuse_only_without_consent():
    for slug in REGISTRY_SLUGS:
        assert list(get(slug).refusal_grounds) == ["no_consent"]


def test_attachment_refusal_grounds():
    assert set(get("attachment").refusal_grounds) == {
        "requirements_not_met",
        "free_choice_once_a_year",
        "population_norm_exceeded",
        "attached_elsewhere",
    }


def test_booking_refusal_grounds():
    for slug in ("appointment", "home-visit"):
        assert set(get(slug).refusal_grounds) == {"no_identity_document", "not_attached"}


def test_built_services_say_where_to_start_and_the_rest_do_not():
    for service in SERVICES:
        assert service.sources
        assert (service.start_endpoint is not None) == service.built, service.slug
