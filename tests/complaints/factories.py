"""Factories for the complaint tests: a complaint as the form sends it, and one filed through the service.
The patients, requests and codes they meet come from tests/feedback_factories.py (shared with the status,
survey and monitoring tests)."""

from datetime import date

from app.core.actors import Actor
from app.core.iin import make_iin
from app.extensions import db
from app.models import Complaint
from app.services import complaints

IIN = make_iin(date(1979, 6, 14), "M", serial=321)
FORM = {
    "complainant_name": "Серіков Айдар Бекұлы",
    "iin": IIN,
    "postal_address": "Алматы қ., Абай даңғылы, 10, 5",
    "phone": "8 (701) 555-44-33",
    "text": "Тіркеу бөлімінде екі сағат күттім.\nЖазбаша жауап беруіңізді сұраймын.",
    "related_number": "",
}
PHONE = "+77015554433"


def file_complaint(
    *,
    channel: str = "web",
    actor: Actor | None = None,
    language: str = "kk",
    proven_iin: str | None = None,
    **fields,
) -> Complaint:
    """A complaint filed through the service (the form's fields, `fields` overriding them), committed.
    `proven_iin`: the complainant signed in with a code as this IIN."""
    complaint = complaints.file_complaint(
        complaints.ComplaintInput(**{**FORM, **fields}),
        channel=channel,
        actor=actor or Actor.applicant(),
        language=language,
        proven_iin=proven_iin,
    )
    db.session.commit()
    return complaint
