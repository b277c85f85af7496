"""Personal codes and sample numbers: random, unguessable, readable, with a check character.

A code is 8 characters drawn with `secrets` from an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S,
6/G, 8/B), then a check character (Luhn mod N over the alphabet), printed as `XXXX-XXXX-C`. The check catches
every single mistyped character and every swap of two neighbours, so a typo is "no such code" at once,
without a look-up that could tell whether a near code exists. 22**8 (about 5 * 10**10) codes: nothing about
the person or the order of registration is in it.
"""

import secrets

ALPHABET = "ACDEFHJKMNPRTUVWXY3479"
BODY_LENGTH = 8
# Cyrillic letters that look like Latin ones (a code typed on a Russian or Kazakh keyboard layout).
HOMOGLYPHS = str.maketrans("АВСЕНКМОРТХУ", "ABCEHKMOPTXY")
SEPARATORS = str.maketrans("", "", " -–—_.")


def _check_character(body: str) -> str:
    """Luhn mod N: from the right, every second value doubled (digits summed in base N)."""
    base = len(ALPHABET)
    total = 0
    for position, char in enumerate(reversed(body)):
        value = ALPHABET.index(char)
        if position % 2 == 0:
            value *= 2
            value = value // base + value % base
        total += value
    return ALPHABET[(base - total % base) % base]


def new_code() -> str:
    """A fresh personal code in its stored form (no separators)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + _check_character(body)


def normalise(typed: str | None) -> str:
    """The typed code without separators, in capitals, Cyrillic look-alikes read as Latin."""
    return (typed or "").upper().translate(HOMOGLYPHS).translate(SEPARATORS)[:40]


def is_well_formed(code: str) -> bool:
    """A normalised code has the right length, letters and check character."""
    if len(code) != BODY_LENGTH + 1 or any(char not in ALPHABET for char in code):
        return False
    return _check_character(code[:-1]) == code[-1]


def display(code: str) -> str:
    """`K7MXRT4PA` as printed on the talon: `K7MX-RT4P-A`."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}" if len(code) == BODY_LENGTH + 1 else code


def new_sample_number() -> str:
    """A sample number for the tube: `S` and 7 random characters of the same alphabet."""
    return "S" + "".join(secrets.choice(ALPHABET) for _ in range(7))


def normalise_sample(typed: str | None) -> str:
    return (typed or "").upper().translate(HOMOGLYPHS).translate(SEPARATORS)[:40]
