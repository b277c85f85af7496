"""Where a call goes: a district's territory ("Абай даңғылы, 1-49, 52", "Сейфуллин даңғылы 2-40 жұп") read
line by line, the address of a call matched against it, and the order of addresses on a route list.

Read-only; imports nothing of the service except its rules.
"""

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import District, Patient
from app.services.home_visits.rules import district_kinds_for


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold().replace("ё", "е"))


@dataclass(frozen=True)
class TerritoryLine:
    """One line of a district's territory: a street, and the houses of it when the line lists them."""

    street: tuple[str, ...]
    houses: frozenset[int] | None = None  # None: the whole street
    parity: int | None = None  # 1: odd houses only, 0: even only


_ODD_WORDS = ("тақ", "нечет", "odd")
_EVEN_WORDS = ("жұп", "чет", "even")


def parse_territory_line(line: str) -> TerritoryLine | None:
    """ "Абай даңғылы" -> the whole street; "Абай даңғылы, 1-49, 52" or "Абай даңғылы 2-40 жұп" -> houses."""
    text = line.casefold().replace("ё", "е")
    tokens = list(re.finditer(r"\w+", text))
    # The houses start at the first number after the street's name ("8 Марта көшесі, 1-20" keeps its 8).
    split = next((i for i, token in enumerate(tokens) if i and token.group()[0].isdigit()), len(tokens))
    street = tuple(token.group() for token in tokens[:split])
    if not street:
        return None
    houses_text = text[tokens[split].start() :] if split < len(tokens) else ""
    numbers = re.findall(r"(\d+)\s*[-–—]\s*(\d+)|(\d+)", houses_text)
    houses: set[int] = set()
    for low, high, single in numbers:
        if single:
            houses.add(int(single))
        elif int(high) - int(low) <= 2000:
            houses.update(range(int(low), int(high) + 1))
    tail = houses_text
    parity = None
    if any(word in tail for word in _ODD_WORDS):
        parity = 1
    elif any(word in tail for word in _EVEN_WORDS):
        parity = 0
    return TerritoryLine(street, frozenset(houses) if houses else None, parity)


def _house_number(address_words: list[str], after: int) -> int | None:
    for word in address_words[after : after + 3]:
        digits = re.match(r"\d+", word)
        if digits:
            return int(digits.group())
    return None


def territory_match(territory: str, address: str) -> int:
    """How well the address falls in the territory: 0 no, 1 a listed street, 2 a listed house of it."""
    address_words = _words(address)
    best = 0
    for raw_line in (territory or "").splitlines():
        line = parse_territory_line(raw_line)
        if line is None:
            continue
        size = len(line.street)
        for start in range(len(address_words) - size + 1):
            if tuple(address_words[start : start + size]) != line.street:
                continue
            if line.houses is None and line.parity is None:
                best = max(best, 1)
                continue
            house = _house_number(address_words, start + size)
            if house is None:
                continue
            in_list = line.houses is None or house in line.houses
            if in_list and (line.parity is None or house % 2 == line.parity):
                best = max(best, 2)
    return best


def district_for(patient: Patient, address: str, day: date) -> District | None:
    """The district whose territory lists the address (matching the patient's age), else the card's."""
    kinds = district_kinds_for(patient, day)
    scored = [
        (territory_match(district.territory, address), district)
        for district in db.session.scalars(select(District).order_by(District.number))
    ]
    matching = [(score, d) for score, d in scored if score and d.kind in kinds]
    if matching:
        return max(matching, key=lambda pair: (pair[0], -pair[1].number))[1]
    if patient.district is not None:
        return patient.district
    others = [(score, d) for score, d in scored if score]
    return max(others, key=lambda pair: (pair[0], -pair[1].number))[1] if others else None


# ---- comparing and ordering addresses ----------------------------------------------------------------
def normalised(address: str) -> str:
    """The address's words only, so "Абай даңғылы, 10" and "абай  даңғылы 10" compare equal."""
    return " ".join(_words(address))


def same_household(address: str, other: str) -> bool:
    """Whether two addresses name the same home (a family member's call may start from the caller's)."""
    return bool(normalised(address)) and normalised(address) == normalised(other)


_CITY_MARKERS = ("қ.", "қаласы", "г.", "город")


def address_key(address: str):
    """Street words, then the house number as a number, so house 9 comes before house 10. A leading city
    ("Алматы қ., ..." or "г. Алматы, ...") is skipped, so addresses with and without it sort together."""
    first, _, rest = address.partition(",")
    if rest and any(marker in first.casefold() for marker in _CITY_MARKERS):
        address = rest
    words = _words(address)
    return tuple((0, int(w), "") if w.isdigit() else (1, 0, w) for w in words)
