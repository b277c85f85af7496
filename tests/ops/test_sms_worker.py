"""SMS after the commit (issue 15, item 2): requests only queue their messages; the worker sends them with
no transaction open, so a gateway that hangs delays messages, never another patient's booking; a failed
reminder is tried again until the visit."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from app.core.actors import Actor
from app.core.clock import now
from app.extensions import db
from app.models import Appointment, SmsMessage
from app.services import appointments, otp, sms
from tests.appointments.factories import MONDAY, at, make_clinic, make_doctor, make_patient

TUESDAY = MONDAY + timedelta(days=1)


class Gateway:
    """An SMS gateway on a real loopback socket. While `hanging` it reads a message and answers nothing
    until `release()`; otherwise it answers with the next of `statuses` (200 when none are left)."""

    def __init__(self):
        self.received, self.statuses = [], []
        self.hanging = False
        self.holding = threading.Event()  # a message is in, unanswered
        self.released = threading.Event()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                gateway.received.append(json.loads(self.rfile.read(length)))
                if gateway.hanging:
                    gateway.holding.set()
                    gateway.released.wait(30)
                status = gateway.statuses.pop(0) if gateway.statuses else 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"id": f"gw-{len(gateway.received)}"}).encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/messages"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def release(self):
        self.hanging = False
        self.released.set()

    def close(self):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(app):
    fake = Gateway()
    app.config.update(SMS_BACKEND="http", SMS_HTTP_URL=fake.url, SMS_READ_TIMEOUT=30.0)
    yield fake
    fake.close()


@pytest.fixture
def clinic_with_doctor(app, make_staff, frozen):
    frozen(2026, 11, 23, 7, 30)
    make_clinic()
    return make_doctor(make_staff)


def book(patient, doctor, starts_at):
    booking = appointments.book_appointment(patient, doctor, starts_at, actor=Actor.patient(), channel="web")
    db.session.commit()
    return booking


def messages_about(booking) -> list[SmsMessage]:
    return list(
        db.session.scalars(
            select(SmsMessage).where(SmsMessage.request_id == booking.request_id).order_by(SmsMessage.id)
        )
    )


def steps_of(booking) -> list[str]:
    db.session.expire_all()
    return [event.step for event in db.session.get(Appointment, booking.id).request.events]


def test_a_hanging_gateway_delays_the_sms_but_no_other_booking(app, gateway, clinic_with_doctor):
    doctor = clinic_with_doctor
    first = book(make_patient(1), doctor, at(MONDAY, 9, 0))
    # The booking only queued its message: the gateway has not been called, the step waits for it.
    assert gateway.received == []
    assert [m.status for m in messages_about(first)] == ["queued"]
    assert "sms_booked" not in steps_of(first)

    gateway.hanging = True
    worker = threading.Thread(target=_run_worker_once, args=(app,))
    worker.start()
    try:
        assert gateway.holding.wait(10), "the worker never reached the gateway"
        # While the worker waits on the gateway, other patients book: nothing of theirs waits on it (on
        # SQLite a held write lock would fail this booking with "database is locked").
        second = book(make_patient(2), doctor, at(MONDAY, 9, 15))
        third = book(make_patient(3), doctor, at(MONDAY, 9, 30))
        assert worker.is_alive() and len(gateway.received) == 1
        assert [m.status for m in messages_about(second)] == ["queued"]
    finally:
        gateway.release()
        worker.join(30)

    # The gateway answered at last: the first message is sent and the booking's history says so.
    db.session.expire_all()
    sent = messages_about(first)[0]
    assert sent.status == "sent" and sent.provider_message_id == "gw-1" and sent.attempts == 1
    assert "sms_booked" in steps_of(first)
    # The next round sends the others.
    assert sms.deliver_queued() == 2
    for booking in (second, third):
        assert [m.status for m in messages_about(booking)] == ["sent"]
        assert "sms_booked" in steps_of(booking)
    assert sms.deliver_queued() == 0


def _run_worker_once(app):
    with app.app_context():
        try:
            sms.deliver_queued()
        finally:
            db.session.remove()


def test_a_failed_reminder_is_tried_again_until_it_goes(app, gateway, clinic_with_doctor, frozen):
    booking = book(make_patient(1), clinic_with_doctor, at(TUESDAY, 9, 0))
    assert sms.deliver_queued() == 1  # the booking's own message
    frozen(2026, 11, 23, 10, 0)
    gateway.statuses = [503, 503]
    assert appointments.send_reminders() == 1
    db.session.commit()

    assert sms.deliver_queued() == 1
    reminder = messages_about(booking)[-1]
    assert (reminder.kind, reminder.status, reminder.attempts, reminder.error) == (
        "reminder",
        "queued",
        1,
        "server_error",
    )
    assert reminder.next_attempt_at == now() + timedelta(seconds=30)
    assert sms.deliver_queued() == 0  # not before its time
    frozen(2026, 11, 23, 10, 1)
    assert sms.deliver_queued() == 1
    db.session.expire_all()
    assert (reminder.status, reminder.attempts) == ("queued", 2)
    assert reminder.next_attempt_at == now() + timedelta(minutes=1)
    frozen(2026, 11, 23, 10, 3)
    assert sms.deliver_queued() == 1
    db.session.expire_all()
    assert (reminder.status, reminder.attempts, reminder.error) == ("sent", 3, "")
    assert steps_of(booking).count("sms_reminder") == 1
    assert "sms_reminder_failed" not in steps_of(booking)
    assert len(gateway.received) == 4


def test_a_reminder_the_gateway_never_takes_fails_once_the_visit_has_begun(
    app, gateway, clinic_with_doctor, frozen
):
    booking = book(make_patient(1), clinic_with_doctor, at(TUESDAY, 9, 0))
    sms.deliver_queued()
    frozen(2026, 11, 23, 17, 0)
    appointments.send_reminders()
    db.session.commit()
    gateway.statuses = [503] * 100
    tries = 0
    for hour in range(17, 24):
        frozen(2026, 11, 23, hour, 30)
        tries += sms.deliver_queued()
    reminder = messages_about(booking)[-1]
    assert reminder.status == "queued" and tries == reminder.attempts == 7
    assert "sms_reminder_failed" not in steps_of(booking)
    # The last try before the visit fails too; the next pause would end after 9:00, so it is given up.
    frozen(2026, 11, 24, 8, 30)
    assert sms.deliver_queued() == 1
    db.session.expire_all()
    assert (reminder.status, reminder.attempts, reminder.error) == ("failed", 8, "server_error")
    assert steps_of(booking).count("sms_reminder_failed") == 1
    assert sms.deliver_queued() == 0


def test_pauses_grow_to_an_hour():
    assert [sms.pause_after(n).total_seconds() for n in (1, 2, 3, 4, 8, 20)] == [30, 60, 120, 240, 3600, 3600]


def test_the_worker_command_sends_what_is_due(app, gateway, clinic_with_doctor):
    request_id = book(make_patient(1), clinic_with_doctor, at(MONDAY, 9, 0)).request_id
    result = app.test_cli_runner().invoke(args=["send-sms", "--once"])
    assert result.exit_code == 0 and "1 messages tried" in result.output
    message = db.session.scalars(select(SmsMessage).where(SmsMessage.request_id == request_id)).one()
    assert message.status == "sent"


def test_without_a_gateway_the_demo_outbox_keeps_the_message_at_once(app, clinic_with_doctor):
    booking = book(make_patient(1), clinic_with_doctor, at(MONDAY, 9, 0))
    assert [m.status for m in db.session.scalars(select(SmsMessage))] == ["stored"]
    assert "sms_booked" in steps_of(booking)


def test_a_sign_in_code_waiting_on_a_hanging_gateway_holds_no_lock(app, gateway, clinic_with_doctor):
    """A one-time code is still sent while the person waits (they are told at once if it failed), but its
    outbox row is committed on its own before the gateway is called: the request holds no lock meanwhile."""
    doctor = clinic_with_doctor
    gateway.hanging = True
    outcome = []

    def ask_for_a_code():
        with app.app_context():
            try:
                code = otp.issue(purpose="login", iin="850401300111", phone="+77010000099", language="ru")
                outcome.append(code.sms_message_id)
                db.session.commit()
            finally:
                db.session.remove()

    asking = threading.Thread(target=ask_for_a_code)
    asking.start()
    try:
        assert gateway.holding.wait(10), "the code never reached the gateway"
        booking = book(make_patient(2), doctor, at(MONDAY, 9, 15))
        assert asking.is_alive() and booking.id
    finally:
        gateway.release()
        asking.join(30)
    assert outcome and outcome[0]
    assert db.session.get(SmsMessage, outcome[0]).status == "sent"
