"""IIN (ЖСН / ИИН): the 12-digit individual identification number.

Digits 1-6 are the birth date YYMMDD, digit 7 the century and sex (1/2: 1800s, 3/4: 1900s, 5/6: 2000s;
odd = male, even = female), digits 8-11 a serial, digit 12 a check digit computed in two passes of a
weighted sum modulo 11 (the second pass only when the first gives 10; an IIN whose both passes give 10 is
never issued).
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from app.core.clock import local_now

FIRST_PASS_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
SECOND_PASS_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
CENTURY_BY_DIGIT = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


class InvalidIin(ValueError):
    """The message is translatable and names exactly what is wrong."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class IinInfo:
    iin: str
    birth_date: date
    sex: str  # "M" | "F"


def check_digit(first_eleven: str) -> int | None:
    """The 12th digit for these 11 digits, or None when no valid IIN can end them."""
    digits = [int(char) for char in first_eleven]
    for weights in (FIRST_PASS_WEIGHTS, SECOND_PASS_WEIGHTS):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


def normalise(raw: str) -> str:
    """Drop the spaces and dashes people type or scanners insert."""
    return "".join(char for char in (raw or "") if char not in " -\u00a0\t")


def parse_iin(raw: str) -> IinInfo:
    iin = normalise(raw)
    if not iin:
        raise InvalidIin(_l("Enter the IIN."))
    if not iin.isdigit() or not iin.isascii():
        raise InvalidIin(_l("The IIN may contain digits only."))
    if len(iin) != 12:
        raise InvalidIin(_l("The IIN has 12 digits; you entered %(count)s.", count=len(iin)))
    century_digit = int(iin[6])
    if century_digit not in CENTURY_BY_DIGIT:
        raise InvalidIin(_l("The 7th digit of the IIN must be from 1 to 6."))
    try:
        birth_date = date(CENTURY_BY_DIGIT[century_digit] + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        raise InvalidIin(_l("The first six digits of the IIN are not a real birth date (YYMMDD).")) from None
    if birth_date > local_now().date():
        # e.g. 400115 with century digit 5 or 6: 2040, a person not born yet (fidelity review, issue 24).
        raise InvalidIin(_l("The birth date in the IIN is after today: please check the IIN for a typo."))
    if check_digit(iin[:11]) != int(iin[11]):
        raise InvalidIin(_l("The IIN check digit does not match: please check it for a typo."))
    return IinInfo(iin=iin, birth_date=birth_date, sex="M" if century_digit % 2 else "F")


def is_valid_iin(raw: str) -> bool:
    try:
        parse_iin(raw)
    except InvalidIin:
        return False
    return True


def make_iin(birth_date: date, sex: str, serial: int) -> str:
    """Build a valid IIN (for demo data and tests); moves to the next serial when one cannot be completed."""
    century_digit = {1800: 1, 1900: 3, 2000: 5}[birth_date.year // 100 * 100] + (1 if sex == "F" else 0)
    while True:
        first_eleven = f"{birth_date:%y%m%d}{century_digit}{serial % 10000:04d}"
        digit = check_digit(first_eleven)
        if digit is not None:
            return first_eleven + str(digit)
        serial += 1
