"""Demo sick leave for `flask seed-demo` (services 10, 11), in their various states:

- sheets: waiting for the doctor now; at the head of department's step (8 days, past the doctor's 6); at the
  issuing desk; opened backdated and waiting for the commission; issued and open (the doctor may extend or
  close it); 10 days with one extension signed by the head, closed «приступить к работе»; an electronic sheet
  of the national system, registered;
- certificates: issued to a student without the diagnosis; waiting for the issuing desk.

The second registrar does the desk's steps (the first, whom a visitor signs in as, starts with a clean
audit log). Idempotent: nothing is added when the demo has any sick leave already.
"""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.core.actors import Actor
from app.core.clock import ALMATY, frozen_clock, local_now
from app.extensions import db
from app.models import SickLeave
from app.services import patients, sick_leave, staff_accounts

DEMO_PEOPLE = slice(32, 41)
IDENTITY = "Жеке куәлік № 04{}5678"


def _actor(username: str) -> Actor:
    return Actor.of_staff(staff_accounts.find_by_username(username))


def _fields(start, days, **overrides) -> sick_leave.SheetFields:
    values = {
        "starts_on": start,
        "ends_on": start + timedelta(days=days - 1) if start else None,
        "issue_mode": "paper",
        "cause": "illness",
        "regime": "outpatient",
        "workplace": "«Алатау Құрылыс» ЖШС, инженер / ТОО «Алатау Курылыс», инженер",
        "diagnosis": "J06.9",
    }
    values.update(overrides)
    return sick_leave.SheetFields(**values)


def _morning(days_ago: int) -> datetime:
    day = local_now().date() - timedelta(days=days_ago)
    return datetime.combine(day, time(9, 30), ALMATY)


def seed_sick_leave_demo(people: list[dict]) -> int:
    """Add the demo sheets and certificates; returns how many visits were added."""
    if db.session.scalar(select(SickLeave.id).limit(1)):
        return 0
    cards = [patients.find_patient(person["iin"]) for person in people[DEMO_PEOPLE]]
    cards = [card for card in cards if card is not None]
    if len(cards) < 9:
        return 0
    registrar, doctor, gp = _actor("registrar2"), _actor("therapist1"), _actor("gp")
    headdept, desk = _actor("headdept"), _actor("issuingdesk")
    today = local_now().date()
    added = 0

    def visit(card, service, moment, fields=None, serial=0):
        with frozen_clock(moment):
            request = sick_leave.receive(
                card, service, identity_document=IDENTITY.format(serial), actor=registrar
            )
        if fields is not None:
            with frozen_clock(moment + timedelta(minutes=12)):
                sick_leave.sign_as_doctor(request, fields, actor=doctor)
        return request

    def register(request, moment):
        with frozen_clock(moment):
            sick_leave.register_in_book(request, actor=desk)

    # Waiting for the doctor now.
    visit(cards[0], sick_leave.SHEET, local_now() - timedelta(minutes=3), serial=1)
    # At the head of department's step: 8 days.
    visit(cards[1], sick_leave.SHEET, local_now() - timedelta(minutes=20), _fields(today, 8), serial=2)
    # At the issuing desk: 5 days.
    visit(cards[2], sick_leave.SHEET, local_now() - timedelta(minutes=25), _fields(today, 5), serial=3)
    # Opened 4 days back: the commission decides.
    visit(
        cards[3], sick_leave.SHEET, local_now() - timedelta(minutes=40), _fields(today - timedelta(days=4), 6)
    )
    # Issued and open, paper: the doctor may extend or close it.
    request = visit(cards[4], sick_leave.SHEET, _morning(3), _fields(today - timedelta(days=3), 5), serial=5)
    register(request, _morning(3) + timedelta(minutes=20))
    # Ten days with one extension, closed: return to work.
    first = visit(cards[5], sick_leave.SHEET, _morning(12), _fields(today - timedelta(days=12), 5), serial=6)
    register(first, _morning(12) + timedelta(minutes=20))
    with frozen_clock(_morning(7)):
        second = sick_leave.receive(
            cards[5], sick_leave.SHEET, identity_document=IDENTITY.format(6), actor=registrar
        )
    with frozen_clock(_morning(7) + timedelta(minutes=10)):
        sick_leave.sign_as_doctor(second, _fields(None, 0, ends_on=today - timedelta(days=3)), actor=gp)
    with frozen_clock(_morning(7) + timedelta(minutes=16)):
        sick_leave.sign_as_head(second, actor=headdept)
    register(second, _morning(7) + timedelta(minutes=22))
    with frozen_clock(_morning(2)):
        sick_leave.close(
            first.sick_leave_period.sick_leave,
            outcome="return_to_work",
            return_on=today - timedelta(days=2),
            diagnosis="J06.9",
            actor=gp,
        )
    # An electronic sheet of the national system, registered.
    electronic = visit(
        cards[6],
        sick_leave.SHEET,
        _morning(1),
        _fields(today - timedelta(days=1), 4, issue_mode="electronic", national_number="202612010417"),
        serial=7,
    )
    register(electronic, _morning(1) + timedelta(minutes=18))
    # Certificates: issued to a student without the diagnosis; waiting for the issuing desk.
    student = _fields(
        today - timedelta(days=2), 3, workplace="ҚазҰУ, 2-курс / КазНУ, 2 курс", diagnosis="J02.9"
    )
    certificate = visit(cards[7], sick_leave.CERTIFICATE, _morning(0), student, serial=8)
    register(certificate, _morning(0) + timedelta(minutes=30))
    pupil = _fields(today - timedelta(days=1), 2, workplace="№ 12 мектеп, 9 «А» / Школа № 12, 9 «А»")
    visit(cards[8], sick_leave.CERTIFICATE, local_now() - timedelta(minutes=15), pupil, serial=9)
    added += 10
    db.session.flush()
    return added
