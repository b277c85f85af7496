"""Fixtures of the attachment tests. Every test here runs with the clock frozen on a working Wednesday
morning (a test that needs another moment freezes it again), so no deadline, "today" or "a year ago"
depends on the day the suite runs."""

import pytest

from tests.attachment.factories import make_clinic

# Wednesday 25 November 2026, 10:00 in Almaty: a working day, two working days clear of any holiday.
FROZEN_AT = (2026, 11, 25, 10, 0)


@pytest.fixture(autouse=True)
def _frozen_clock(frozen):
    frozen(*FROZEN_AT)


@pytest.fixture
def clinic(app, make_staff):
    """A small clinic: two adult districts and a paediatric one, a doctor in each, one attached patient."""
    return make_clinic(make_staff)
