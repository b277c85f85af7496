"""What a diagnosis is and how typed codes and words are brought to one form (no data, no I/O)."""

import re
from dataclasses import dataclass

# Cyrillic letters that look like the Latin ones of ICD-10 codes: a Russian or Kazakh keyboard layout
# types them without the person noticing.
_LOOK_ALIKES = str.maketrans("АВЕКМНОРСТХ", "ABEKMHOPCTX")
_WHITESPACE = re.compile(r"\s+")
# A code typed without its dot: letter, two digits of the category, one or two of the subcategory.
_DOTLESS = re.compile(r"^([A-Z]\d\d)(\d{1,2})$")
# A code or the start of one: "J", "J0", "J06", "J06.", "J06.9".
CODE_PREFIX = re.compile(r"^[A-Z](\d(\d(\.\d{0,2})?)?)?$")
CODE = re.compile(r"^[A-Z]\d\d(\.\d{1,2})?$")


@dataclass(frozen=True)
class Diagnosis:
    code: str
    title_ru: str
    title_kk: str | None = None

    def title(self, language: str) -> str:
        """The title for a page in `language`: the Kazakh one on Kazakh pages when there is one."""
        if language == "kk" and self.title_kk:
            return self.title_kk
        return self.title_ru


def normalise(text: str) -> str:
    """Upper case, Cyrillic look-alikes to Latin, no spaces, a comma typed for the dot read as the dot,
    and the dot put back into a code typed without it ("J069" -> "J06.9")."""
    code = _WHITESPACE.sub("", text or "").upper().translate(_LOOK_ALIKES).replace(",", ".")
    return _DOTLESS.sub(r"\1.\2", code)


def fold(text: str) -> str:
    """Text for comparing words: lower case, ё read as е."""
    return text.casefold().replace("ё", "е")
