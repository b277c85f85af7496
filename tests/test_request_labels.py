"""The request kernel's words for statuses, channels, steps and actors, and a service's own words on top."""

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from app.services import monitoring, status
from app.services import requests as request_service


def test_shared_labels_and_the_code_when_nobody_named_it(app):
    with force_locale("ru"):
        assert request_service.status_label("completed") == "Исполнена"
        assert request_service.channel_label("desk") == "Регистратура"
        assert request_service.step_label("booking_cancelled") == "Запись отменена"
        assert request_service.step_label("refused") == "Отказано"  # a transition's step is its status
        assert request_service.actor_label("system") == "Система"
        assert request_service.step_label("something_new") == "something_new"
        assert request_service.actor_label("Ерлан Сапаров") == "Ерлан Сапаров"


def test_a_service_names_its_own_steps_and_statuses_first(app, monkeypatch):
    monkeypatch.setattr(request_service, "_service_labels", {})
    request_service.register_labels(
        "complaint-like",
        steps={"registry_checked": _l("Booked")},
        statuses={"submitted": _l("Received")},
    )
    with force_locale("ru"):
        assert request_service.status_label("submitted", "complaint-like") == "Принята"
        assert request_service.status_label("submitted") == "Подана"
        assert request_service.step_label("registry_checked", "complaint-like") == "Записан"
        assert request_service.step_label("submitted", "complaint-like") == "Принята"
        assert request_service.step_label("registry_checked", "another") == "Регистр проверен"


def test_the_old_names_still_read_the_kernel():
    assert status.STATUS_LABELS is request_service.STATUS_LABELS
    assert status.CHANNEL_LABELS is request_service.CHANNEL_LABELS
    assert monitoring.STEP_LABELS is request_service.STEP_LABELS
    assert status.status_label is request_service.status_label
    assert monitoring.step_label is request_service.step_label


def test_what_the_sms_helper_records_reads_the_same_for_every_service(app):
    """app.services.sms records sms_<kind>, sms_<kind>_failed and sms_<kind>_no_phone for any service."""
    with force_locale("kk"):
        assert request_service.step_label("sms_reminder", "appointment") == "SMS жіберілді"
        assert request_service.step_label("sms_approved_failed", "attachment") == "SMS жіберілмеді"
        assert request_service.step_label("sms_completed_no_phone", "tb-certificate") == (
            "SMS жіберетін телефон нөмірі жоқ"
        )
    with force_locale("ru"):
        assert request_service.step_label("sms_answered", "complaint") == "SMS отправлено"


def test_every_service_registers_its_own_words_from_its_face(app):
    """The labels of each service's history come from the kernel, where each face registered its words
    (the app imports every face through its blueprints)."""
    with force_locale("ru"):
        assert request_service.actor_label("applicant", "home-visit") == "член семьи"
        assert request_service.actor_label("applicant", "attachment") == "Заявитель"
