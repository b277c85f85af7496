"""The information-form tests run on the project's frozen clock: every request gets a deadline, and a consent
or a one-time code expires, so none of them may depend on the wall clock."""

import pytest


@pytest.fixture(autouse=True)
def clock(frozen):
    """A working Tuesday morning in Almaty; a test that needs another moment moves on with `frozen(...)`."""
    frozen(2026, 3, 10, 9, 0)
