"""Reading the classifier (once per process, on first use) and looking codes and words up in it."""

import bisect
import csv
import gzip
import io
import threading
from pathlib import Path

from app.services.icd10.rules import CODE, CODE_PREFIX, Diagnosis, fold, normalise

DATA_FILE = Path(__file__).parent / "data" / "1.2.643.5.1.13.13.11.1005_2.27.csv.gz"
MAX_QUERY = 100


class _Classifier:
    """Every diagnosis by code, the codes in order (for prefix search) and each title folded for words."""

    def __init__(self, diagnoses: list[Diagnosis]):
        ordered = sorted(diagnoses, key=lambda diagnosis: diagnosis.code)
        self.by_code = {diagnosis.code: diagnosis for diagnosis in ordered}
        self.codes = [diagnosis.code for diagnosis in ordered]
        self.words = [
            (diagnosis, fold(f"{diagnosis.title_ru} {diagnosis.title_kk or ''}")) for diagnosis in ordered
        ]


def _read(path: Path) -> list[Diagnosis]:
    with gzip.open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        rows = csv.DictReader(text, delimiter=";")
        return [
            Diagnosis(code=row["MKB_CODE"].strip(), title_ru=" ".join(row["MKB_NAME"].split()))
            for row in rows
            if row["ACTUAL"].strip() == "1" and CODE.match(row["MKB_CODE"].strip())
        ]


_loaded: _Classifier | None = None
_lock = threading.Lock()


def _classifier() -> _Classifier:
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = _Classifier(_read(DATA_FILE))
    return _loaded


def find(code: str) -> Diagnosis | None:
    """The diagnosis with this code (typed any way `normalise` understands), or None if there is none."""
    return _classifier().by_code.get(normalise(code or ""))


def _by_code_prefix(classifier: _Classifier, prefix: str, limit: int) -> list[Diagnosis]:
    start = bisect.bisect_left(classifier.codes, prefix)
    found = []
    for code in classifier.codes[start:]:
        if not code.startswith(prefix) or len(found) == limit:
            break
        found.append(classifier.by_code[code])
    return found


def _starts_a_word(word: str, title: str) -> bool:
    at = title.find(word)
    while at != -1:
        if at == 0 or not title[at - 1].isalnum():
            return True
        at = title.find(word, at + 1)
    return False


def _by_words(classifier: _Classifier, words: list[str], limit: int) -> list[Diagnosis]:
    matches = [
        (diagnosis, title) for diagnosis, title in classifier.words if all(word in title for word in words)
    ]
    # Titles where every word starts a word come first ("грипп" finds "Грипп ..." before "парагрипп"),
    # then the shorter, more general titles, then by code.
    matches.sort(
        key=lambda match: (
            not all(_starts_a_word(word, match[1]) for word in words),
            len(match[1]),
            match[0].code,
        )
    )
    return [diagnosis for diagnosis, _title in matches[:limit]]


def search(query: str, limit: int = 20) -> list[Diagnosis]:
    """Diagnoses whose code starts with `query` (in code order), or whose title holds every word of it
    (case and ё/е aside)."""
    query = (query or "")[:MAX_QUERY]
    if limit <= 0 or not query.strip():
        return []
    classifier = _classifier()
    code = normalise(query)
    if CODE_PREFIX.match(code):
        return _by_code_prefix(classifier, code, limit)
    words = fold(query).split()
    return _by_words(classifier, words, limit)
