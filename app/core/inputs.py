"""Bounds and normalisation of what people type, before it reaches the database or a printed page.

- Integers: every id and count column is a PostgreSQL `integer`, so a number outside it is not an id of
  anything (SQLite raises on numbers past 2**63, PostgreSQL on numbers past 2**31). `to_int` and `to_id`
  read a typed value into that range or give None, never an exception.
- Days: a typed day is kept to years the clinic can mean (EARLIEST_DAY .. LATEST_DAY), so arithmetic on it
  (a week, a horizon) never runs off Python's calendar.
- Text: control characters (NUL and the other C0/C1 codes but tab, newline and carriage return) cannot be
  stored by PostgreSQL (NUL) nor shown; requests carrying them are refused (app/input_guard.py). Bidi
  embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069) reverse how the text around them
  is shown, so a name or an address could print backwards: they are removed from text people type and
  from every printed document.
"""

import re
from datetime import date

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
# More digits than any integer column holds: longer strings are refused before int() reads them.
_MAX_INT_DIGITS = 12

# The longest search people type (an IIN, or a few words of a name).
MAX_SEARCH = 100

EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2199, 12, 31)

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def to_int(value, *, minimum: int = INT_MIN, maximum: int = INT_MAX) -> int | None:
    """The integer `value` spells (an int or decimal digits with an optional sign), if it lies in
    [minimum, maximum]; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] in "+-" else text
        if not digits or len(digits) > _MAX_INT_DIGITS or not (digits.isascii() and digits.isdigit()):
            return None
        number = int(text)
    else:
        return None
    return number if minimum <= number <= maximum else None


def to_id(value) -> int | None:
    """A row id (1 .. INT_MAX) from a typed value, or None."""
    return to_int(value, minimum=1)


def to_day(value) -> date | None:
    """An ISO day (YYYY-MM-DD) between EARLIEST_DAY and LATEST_DAY, or None."""
    if isinstance(value, date):
        day = value
    elif isinstance(value, str) and len(value) <= 10:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return day if is_reasonable_day(day) else None


def is_reasonable_day(day: date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY


def search_text(value, *, limit: int = MAX_SEARCH) -> str:
    """A typed search, stripped and cut to `limit` characters: no name or number is longer, and a longer
    LIKE pattern is refused by SQLite ("pattern too complex") and slow anywhere."""
    return value.strip()[:limit] if isinstance(value, str) else ""


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def without_bidi_controls(text: str) -> str:
    return BIDI_CONTROLS.sub("", text)


def clean_text(text: str) -> str:
    """Text from outside a request (a registry, an imported file): control characters and bidi controls
    removed, so it can be stored and printed as it reads."""
    return without_bidi_controls(CONTROL_CHARACTERS.sub("", text))
