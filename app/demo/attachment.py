"""Demo attachment applications for `flask seed-demo`, so the registry desk's queue shows each state.

- Тұрсынов Ержан (attached to clinic №31) asked three working days ago because he moved: overdue, highlighted.
- Бекова Сәуле (attached to clinic №12) asked today by free choice: due within the working day.

The two people without any attachment (Сейітова Аружан, Кузнецов Игорь) are left for trying the online
application yourself. Idempotent: a person who already has an application gets no other.
"""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.core.actors import Actor
from app.core.clock import ALMATY, frozen_clock, local_now
from app.demo.registry import other_people
from app.extensions import db
from app.models import AttachmentApplication
from app.services import attachment
from app.services.calendar import get_calendar

# key in app.demo.registry.OTHER_PEOPLE, reason, address, working days ago, channel
APPLICATIONS = (
    ("elsewhere-3", "residence", "Алматы қ., Сәтбаев көшесі, 18, 4", 3, "web"),
    ("elsewhere-1", "free_choice", "Алматы қ., Достық даңғылы, 61, 12", 0, "kiosk"),
)


def seed_attachment_demo() -> int:
    """Add the demo applications that are missing; returns how many were added."""
    people = {person["key"]: person for person in other_people()}
    calendar = get_calendar()
    added = 0
    for key, reason, address, days_ago, channel in APPLICATIONS:
        person = people[key]
        if db.session.scalar(
            select(AttachmentApplication.id).where(AttachmentApplication.iin == person["iin"]).limit(1)
        ):
            continue
        day = local_now().date()
        for _ in range(days_ago):  # back over working days, so the deadline has passed by then
            day -= timedelta(days=1)
            while not calendar.is_working_day(day):
                day -= timedelta(days=1)
        received = min(datetime.combine(day, time(10, 15), ALMATY), local_now())
        with frozen_clock(received):
            attachment.submit_application(
                attachment.ApplicationInput(iin=person["iin"], address=address, reason=reason, language="kk"),
                actor=Actor.patient(),
                channel=channel,
            )
        added += 1
    db.session.flush()
    return added
