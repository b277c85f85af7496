"""The decision deadline (the day of receipt, or the next working day after the cut-off), across a weekend and
a public holiday, and the queue's flags."""

from datetime import datetime, timedelta

import pytest

from app.core.actors import Actor
from app.core.clock import ALMATY
from app.extensions import db
from app.services import attachment as attachment_service
from tests.attachment.factories import new_person, staff_client
from tests.conftest import page_text


# ---- deadlines across a weekend and a public holiday -----------------------------------------------------
# 002 item 9: «оказывается в день обращения … запрос … принимается за 2 часа до окончания работы
# Услугодателя»; 003: «бір жұмыс күні барысында». Decided (issue 24 item 7): due at the close of the day of
# receipt, or of the next working day when received after the cut-off (two hours before closing).
@pytest.mark.parametrize(
    ("received", "deadline"),
    [
        ((2026, 11, 20, 15, 0), (2026, 11, 20, 20, 0)),  # Friday afternoon, before 18:00: by Friday's closing
        ((2026, 11, 20, 18, 0), (2026, 11, 21, 14, 0)),  # Friday at the cut-off: by Saturday's closing
        ((2026, 11, 20, 21, 0), (2026, 11, 21, 14, 0)),  # Friday after closing: by Saturday's closing
        ((2026, 11, 21, 11, 0), (2026, 11, 21, 14, 0)),  # Saturday before its 12:00 cut-off: the same day
        ((2026, 11, 21, 15, 0), (2026, 11, 23, 20, 0)),  # Saturday after closing: by Monday's closing
        ((2026, 11, 22, 11, 0), (2026, 11, 23, 20, 0)),  # Sunday: by Monday's closing
        ((2026, 12, 15, 10, 0), (2026, 12, 15, 20, 0)),  # Tuesday morning: the same day
        ((2026, 12, 15, 21, 0), (2026, 12, 17, 20, 0)),  # Tuesday evening: Independence Day (16th) skipped
    ],
)
def test_the_decision_deadline_is_one_working_day(app, clinic, frozen, received, deadline):
    frozen(*received)
    person = new_person(serial=110)
    application = attachment_service.submit_application(
        attachment_service.ApplicationInput(
            iin=person.iin, address="Алматы, Абай даңғылы 20", reason="residence"
        ),
        actor=Actor.patient(),
        channel="web",
    )
    assert application.request.deadline_at == datetime(*deadline, tzinfo=ALMATY)


def test_the_queue_flags_applications_near_the_deadline_and_highlights_overdue_ones(
    app, clinic, frozen, make_staff
):
    frozen(2026, 12, 15, 19, 0)  # after the cut-off, before Independence Day: due on the 17th, 20:00
    late = new_person(serial=111)
    attachment_service.submit_application(
        attachment_service.ApplicationInput(
            iin=late.iin, address="Алматы, Абай даңғылы 20", reason="residence"
        ),
        actor=Actor.patient(),
        channel="web",
    )
    frozen(2026, 12, 17, 18, 30)  # after the cut-off: due on the 18th, 20:00
    recent = new_person(serial=112)
    attachment_service.submit_application(
        attachment_service.ApplicationInput(
            iin=recent.iin, address="Алматы, Абай даңғылы 21", reason="residence"
        ),
        actor=Actor.patient(),
        channel="web",
    )
    db.session.commit()
    app.config["STAFF_IDLE_TIMEOUT"] = timedelta(days=7)  # the clock jumps a day between pages
    app.config["SESSION_LIFETIME"] = timedelta(days=7)  # (a session lasts 12 hours, however active)
    desk = staff_client(app, make_staff, "registrar")

    frozen(2026, 12, 17, 19, 0)  # an hour before the first one's deadline (the 17th, 20:00)
    html = desk.get("/staff/attachment/").get_data(as_text=True)
    assert html.count("attachment-row--due-soon") == 1 and "attachment-row--overdue" not in html

    frozen(2026, 12, 18, 9, 0)  # the first is late; the second is due at 20:00 today
    response = desk.get("/staff/attachment/")
    html = response.get_data(as_text=True)
    assert html.count("attachment-row--overdue") == 1 and "attachment-row--on-time" in html
    assert "Мерзімі өтті" in page_text(response)
