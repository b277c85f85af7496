"""The demo clinic switches the training centre on with documents in every state."""

from collections import Counter

from sqlalchemy import select

from app.demo import seed
from app.extensions import db
from app.models import TrainingDocument
from app.services import training


def test_the_demo_shows_every_state(app, demo_clinic):
    assert training.is_enabled()
    states = Counter(training.state_of(row) for row in db.session.scalars(select(TrainingDocument)))
    assert states == Counter(
        {"issued": 2, "ready": 2, "due": 2, "late": 1, "suspended": 1, "awaiting_decision": 1}
    )
    duplicate = next(
        row for row in db.session.scalars(select(TrainingDocument)) if row.is_duplicate and row.ready_at
    )
    assert duplicate.document is not None and duplicate.deputy_signed_by is not None


def test_seeding_twice_adds_nothing(app, demo_clinic):
    before = db.session.query(TrainingDocument).count()
    seed()
    assert db.session.query(TrainingDocument).count() == before
