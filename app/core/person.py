"""What the journals say of a person from the card: the age on a given day and the sex (both follow from the
IIN, app.core.iin). The home-call journal and the pre-registration journal both list them (regulation 001,
annexes 1 and 2: «тегі, аты, әкесінің аты, жасы және жынысы»), so they say them the same way."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

SEX_LABELS = {"M": _l("male"), "F": _l("female")}


def age_on(birth_date: date, day: date) -> int:
    """Full years on `day`."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def age_label(birth_date: date, day: date) -> str:
    """ "34 years", or "7 months" for a baby: a journal's age column, in the current language."""
    years = age_on(birth_date, day)
    if years >= 1:
        return ngettext("%(num)d year", "%(num)d years", years)
    months = (day.year - birth_date.year) * 12 + day.month - birth_date.month - (day.day < birth_date.day)
    return ngettext("%(num)d month", "%(num)d months", max(months, 0))


def sex_label(sex: str) -> str:
    """ "male" / "female" in the current language; an unknown code as it is stored."""
    label = SEX_LABELS.get(sex)
    return str(label) if label is not None else sex
