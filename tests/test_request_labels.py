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
