"""The clinic's territory: which districts an address lies in, and which of them serves a person of an age.

A district's territory is text, one street per line, optionally with a range of houses ("Достық даңғылы
1-99"). An address matches a line when the street's words appear in it (Kazakh or Russian, with or without
Kazakh letters, Russian case endings allowed) and, for a range, the house number after them lies inside it.
Plain functions over the districts given: queries.py reads the districts.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from app.models import District
from app.services.attachment.rules import district_kinds_for

# Street-type words are dropped before matching: "Абай даңғылы" and "проспект Абая" name the same street.
# fmt: off
_STREET_WORDS = frozenset((
    "көшесі", "көше", "к", "даңғылы", "даңғ", "д", "ул", "улица", "пр", "т", "просп", "проспект",
    "мкр", "микрорайон", "шағын", "ауданы", "аудан", "ша", "бульвары", "бульвар", "б", "р",
    "переулок", "пер", "тұйығы", "тұйық", "алаңы", "площадь", "шоссе",
))
# fmt: on
_KAZAKH_LETTERS = str.maketrans("әғқңөұүһі", "агкноуухи")
_HOUSE_RANGE = re.compile(r"(\d+)\s*[-–—]\s*(\d+)\s*$")


def _tokens(text: str) -> list[str]:
    folded = text.casefold().replace("ё", "е").translate(_KAZAKH_LETTERS)
    return [token for token in re.split(r"[^\w]+", folded) if token]


def _normalised_street_words() -> frozenset[str]:
    return frozenset(token for word in _STREET_WORDS for token in _tokens(word))


def _same_word(core: str, word: str) -> bool:
    """A street's name against a word of an address, allowing Russian case endings ("Абай" ~ "Абая")."""
    if word == core:
        return True
    if len(core) >= 4 and word.startswith(core) and len(word) - len(core) <= 2:
        return True
    return len(core) >= 4 and core[-1] in "йьиыа" and len(word) == len(core) and word.startswith(core[:-1])


@dataclass(frozen=True)
class TerritoryLine:
    words: tuple[str, ...]
    houses: tuple[int, int] | None

    @classmethod
    def parse(cls, line: str) -> "TerritoryLine | None":
        houses = None
        match = _HOUSE_RANGE.search(line)
        if match:
            low, high = int(match[1]), int(match[2])
            houses = (min(low, high), max(low, high))
            line = line[: match.start()]
        street_words = _normalised_street_words()
        words = tuple(token for token in _tokens(line) if token not in street_words and not token.isdigit())
        return cls(words, houses) if words else None

    def matches(self, address_tokens: list[str]) -> bool:
        size = len(self.words)
        for start in range(len(address_tokens) - size + 1):
            window = address_tokens[start : start + size]
            if all(_same_word(core, word) for core, word in zip(self.words, window, strict=True)):
                if self.houses is None:
                    return True
                house = _house_after(address_tokens, start + size)
                if house is None or self.houses[0] <= house <= self.houses[1]:
                    return True
        return False


def _house_after(tokens: list[str], index: int) -> int | None:
    for token in tokens[index : index + 3]:
        digits = re.match(r"\d+", token)
        if digits:
            return int(digits[0])
    return None


def matching_districts(address: str, districts: Iterable[District]) -> list[District]:
    """Those of `districts` whose territory includes the address, in the order given."""
    address_tokens = _tokens(address)
    found = []
    for district in districts:
        lines = (TerritoryLine.parse(line) for line in (district.territory or "").splitlines())
        if any(line is not None and line.matches(address_tokens) for line in lines):
            found.append(district)
    return found


def district_for_age(matching: list[District], birth_date: date | None, today: date) -> District | None:
    """Of the districts an address lies in, the one that serves a person born on `birth_date`."""
    for kind in district_kinds_for(birth_date, today):
        for district in matching:
            if district.kind == kind:
                return district
    return None
