"""Every message is translated into Kazakh and Russian, nothing is fuzzy, and Kazakh is really Kazakh."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _catalog(language):
    with open(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


@pytest.fixture(scope="module")
def extracted_ids():
    method_map = [("app/**.py", "python"), ("app/templates/**.html", "jinja2")]
    keywords = {
        "_": None,
        "gettext": None,
        "ngettext": (1, 2),
        "lazy_gettext": None,
        "_l": None,
        "lazy_ngettext": (1, 2),
        "pgettext": ((1, "c"), 2),
    }
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_message_in_the_code_is_in_the_catalog(language, extracted_ids):
    catalog_ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in _catalog(language) if m.id}
    missing = sorted(extracted_ids - catalog_ids)
    assert not missing, f"run `make translations-update` and translate: {missing[:20]}"


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_message_is_translated_and_not_fuzzy(language):
    untranslated, fuzzy = [], []
    for message in _catalog(language):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert not untranslated, f"{language}: untranslated {untranslated[:20]}"
    assert not fuzzy, f"{language}: fuzzy {fuzzy[:20]}"


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_placeholders_survive_translation(language):
    for message in _catalog(language):
        if not message.id or not message.string:
            continue
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) <= set(PLACEHOLDER.findall(source)) | {"num"}, (
                source,
                text,
            )
            assert set(PLACEHOLDER.findall(source)) - {"num"} <= set(PLACEHOLDER.findall(text)), (
                source,
                text,
            )


def test_kazakh_is_not_russian_copied_over():
    kk = {m.id: m.string for m in _catalog("kk") if m.id}
    ru = {m.id: m.string for m in _catalog("ru") if m.id}
    copied = [msgid for msgid, text in kk.items() if text and text == ru.get(msgid) and len(str(text)) > 12]
    assert not copied, f"Kazakh identical to Russian: {copied[:20]}"
    long_texts = [str(text) for text in kk.values() if len(str(text).split()) >= 4]
    with_kazakh_letters = [text for text in long_texts if KAZAKH_LETTERS & set(text)]
    # Real Kazakh prose of four words or more almost always uses one of its own letters.
    assert len(with_kazakh_letters) >= 0.8 * len(long_texts), "Kazakh catalog looks like Russian"


def _glossary_terms() -> list[tuple[str, str, str]]:
    """(msgid, kk, ru) rows of the first table of docs/glossary.md."""
    text = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    table = text.split("## Terms", 1)[1].split("##", 1)[0]
    rows = []
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0] not in ("English msgid", "") and not set(cells[0]) <= {"-"}:
            rows.append((cells[0], cells[1], cells[2]))
    return rows


def test_the_glossary_is_read():
    assert len(_glossary_terms()) >= 8


@pytest.mark.parametrize(("msgid", "kk", "ru"), _glossary_terms())
def test_the_catalogs_say_what_the_glossary_says(msgid, kk, ru):
    for language, expected in (("kk", kk), ("ru", ru)):
        message = _catalog(language).get(msgid)
        assert message is not None, f"{msgid!r} is in the glossary but not in the {language} catalog"
        assert message.string == expected, (language, msgid)


def test_district_numbers_are_ordinals_in_kazakh():
    """docs/glossary.md: «%(number)s-учаске», never «%(number)s учаске» (a count keeps the space)."""
    wrong = re.compile(r"%\((number|district)\)s учаске")
    offenders = []
    for message in _catalog("kk"):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        offenders += [text for text in strings if text and wrong.search(text)]
    assert offenders == []
