"""Fill kk and ru translations into the catalogs from a JSON file, safely while others edit them too.

    .venv/bin/python scripts/po_fill.py my-strings.json

The JSON maps an English msgid to {"kk": "...", "ru": "..."}; for a plural message the msgid is the
singular and each value is a list of forms (kk: 2 forms, ru: 3 forms). Messages not yet in a catalog are
reported, so run `make translations-update` first. A file lock serialises writers.
"""

import fcntl
import json
import sys
from contextlib import contextmanager
from pathlib import Path

from babel.messages.pofile import read_po, write_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


@contextmanager
def catalog_lock():
    with open(TRANSLATIONS / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def fill(entries: dict) -> int:
    missing = 0
    with catalog_lock():
        for language in ("kk", "ru"):
            path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
            with open(path, "rb") as handle:
                catalog = read_po(handle, locale=language)
            for msgid, values in entries.items():
                message = catalog.get(msgid)
                if message is None:
                    print(f"{language}: not in catalog (run make translations-update?): {msgid!r}")
                    missing += 1
                    continue
                value = values[language]
                message.string = tuple(value) if isinstance(message.id, tuple) else value
                message.flags.discard("fuzzy")
            with open(path, "wb") as handle:
                write_po(handle, catalog, no_location=True, sort_output=True, ignore_obsolete=True)
    return missing


if __name__ == "__main__":
    sys.exit(1 if fill(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))) else 0)
