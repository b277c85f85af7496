"""IIN validation: format, birth date, century/sex digit and the two-pass check digit."""

from datetime import date

import pytest
from flask_babel import force_locale

from app.core.iin import InvalidIin, check_digit, is_valid_iin, make_iin, parse_iin


@pytest.mark.parametrize(
    ("iin", "birth_date", "sex"),
    [
        ("850112400170", date(1985, 1, 12), "F"),  # first pass gives the check digit
        ("900115300401", date(1990, 1, 15), "M"),  # first pass gives 10: the second pass decides
        ("050310600428", date(2005, 3, 10), "F"),
        ("000229500018", date(2000, 2, 29), "M"),  # leap day in the 2000s
    ],
)
def test_valid_iins_give_birth_date_and_sex(iin, birth_date, sex):
    info = parse_iin(iin)
    assert (info.birth_date, info.sex) == (birth_date, sex)


def test_spaces_and_dashes_are_ignored():
    assert parse_iin(" 850112-400170 ").iin == "850112400170"


@pytest.mark.parametrize(
    ("raw", "expected_fragment"),
    [
        ("", "Enter the IIN"),
        ("85011240017", "12 digits"),
        ("8501124001701", "12 digits"),
        ("85011240017O", "digits only"),
        ("８５０１１２４００１７０", "digits only"),  # full-width digits from a phone keyboard
        ("850112000170", "7th digit"),
        ("850112700170", "7th digit"),
        ("851312400170", "birth date"),
        ("010229500018", "birth date"),  # 2001 is not a leap year
        ("850112400171", "check digit"),
        ("900115300402", "check digit"),
    ],
)
def test_invalid_iins_name_the_exact_problem(app, raw, expected_fragment):
    with app.test_request_context(), force_locale("en"):
        with pytest.raises(InvalidIin) as caught:
            parse_iin(raw)
        assert expected_fragment in str(caught.value.message)


def test_messages_are_translated(app):
    with app.test_request_context(), force_locale("kk"):
        kk = str(_error("850112400171"))
    with app.test_request_context(), force_locale("ru"):
        ru = str(_error("850112400171"))
    assert kk != ru
    assert "ЖСН" in kk and "ИИН" in ru


def test_a_prefix_whose_both_passes_give_ten_has_no_valid_iin():
    assert check_digit("90011530120") is None
    assert not any(is_valid_iin(f"90011530120{d}") for d in range(10))


@pytest.mark.parametrize("sex", ["M", "F"])
@pytest.mark.parametrize("birth", [date(1899, 12, 31), date(1954, 6, 1), date(2019, 11, 30)])
def test_make_iin_round_trips(birth, sex):
    for serial in range(0, 300, 37):
        info = parse_iin(make_iin(birth, sex, serial))
        assert (info.birth_date, info.sex) == (birth, sex)


def _error(raw):
    try:
        parse_iin(raw)
    except InvalidIin as error:
        return error.message
    raise AssertionError("expected InvalidIin")


def test_an_iin_born_after_today_cannot_exist(frozen):
    """An IIN whose birth date lies in the future (2040 from century digit 5 or 6) was never issued."""
    frozen(2026, 11, 25, 10, 0)
    assert parse_iin(make_iin(date(2026, 11, 25), "F", 7)).birth_date == date(2026, 11, 25)  # born today
    for born in (date(2026, 11, 26), date(2040, 1, 15)):
        with pytest.raises(InvalidIin) as caught:
            parse_iin(make_iin(born, "M", 3))
        assert "after today" in str(caught.value)
