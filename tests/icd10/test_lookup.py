"""The ICD-10 lookup itself: codes typed any way, codes that exist and do not, search by code and words."""

import pytest

from app.services import icd10


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("J06.9", "J06.9"),
        ("j06.9", "J06.9"),
        ("J069", "J06.9"),
        (" j 06 9 ", "J06.9"),
        ("J06,9", "J06.9"),
        ("Т81.4", "T81.4"),  # Cyrillic Т
        ("Е11.9", "E11.9"),  # Cyrillic Е
        ("АВЕКМНОРСТХ", "ABEKMHOPCTX"),  # every Cyrillic look-alike
        ("авекмнорстх", "ABEKMHOPCTX"),
        ("J06", "J06"),
        ("M5126", "M51.26"),
        ("", ""),
    ],
)
def test_normalise_reads_codes_typed_any_way(typed, code):
    assert icd10.normalise(typed) == code


def test_find_gives_a_known_code_with_its_russian_title():
    diagnosis = icd10.find("J06.9")
    assert diagnosis == icd10.Diagnosis("J06.9", "Острая инфекция верхних дыхательных путей неуточненная")
    assert icd10.find("j069") == diagnosis
    assert icd10.find("J06").title_ru.startswith("Острые инфекции верхних дыхательных путей")
    assert icd10.find("U07.1").title_ru == "COVID-19, вирус идентифицирован"


@pytest.mark.parametrize("code", ["J06.7", "J99.99", "Z99.99", "A00-A09", "I", "", "J", "ОРВИ"])
def test_find_refuses_codes_that_do_not_exist(code):
    assert icd10.find(code) is None


def test_a_kazakh_page_shows_the_russian_title_when_there_is_no_kazakh_one():
    diagnosis = icd10.find("J06.9")
    assert diagnosis.title_kk is None
    assert diagnosis.title("kk") == diagnosis.title("ru") == diagnosis.title_ru
    translated = icd10.Diagnosis("J06.9", "Острая инфекция", "Жедел инфекция")
    assert (translated.title("kk"), translated.title("ru")) == ("Жедел инфекция", "Острая инфекция")


def test_search_by_code_prefix_gives_codes_in_order():
    assert [d.code for d in icd10.search("J06")] == ["J06", "J06.0", "J06.8", "J06.9"]
    assert icd10.search("ж")[0].title_ru.casefold().find("ж") >= 0  # ж is no look-alike: a word, not a code
    assert [d.code for d in icd10.search("j069")] == ["J06.9"]
    assert [d.code for d in icd10.search("А0", limit=3)] == ["A00", "A00.0", "A00.1"]  # Cyrillic А
    assert len(icd10.search("J", limit=20)) == 20
    assert icd10.search("Q99.99") == []


def test_search_by_russian_words_ignores_case_and_yo():
    found = icd10.search("острая ИНФЕКЦИЯ верхних")
    assert found[0].code == "J06.9"
    assert all({"острая", "инфекция", "верхних"} <= set(d.title_ru.casefold().split()) for d in found[:1])
    assert all("верхних" in d.title_ru.casefold() for d in found)
    assert "J11" in [d.code for d in icd10.search("грипп")]
    # The classifier writes "неуточненная" with е; a person may type ё.
    assert [d.code for d in icd10.search("холера неуточнённая")] == ["A00.9"]


def test_search_prefers_titles_whose_words_start_with_the_query():
    codes = [d.code for d in icd10.search("пневмония", limit=50)]
    assert "J18.9" in codes
    assert all(
        d.title_ru.casefold().startswith("пневмония") or " пневмония" in d.title_ru.casefold()
        for d in icd10.search("пневмония", limit=5)
    )


@pytest.mark.parametrize("query", ["", "   ", "ЪЪЪЪ", "x" * 5000, "qqqq", "'; drop table"])
def test_search_finds_nothing_for_nonsense_and_never_fails(query):
    assert icd10.search(query) == []


def test_search_respects_the_limit():
    assert len(icd10.search("инфекция", limit=7)) == 7
    assert icd10.search("инфекция", limit=0) == []
