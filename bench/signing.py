"""Benchmark: the document path with and without the electronic signature, side by side (issue 21).

    .venv/bin/python bench/signing.py [--runs 30] [--key ecdsa|rsa]

On a fresh temporary SQLite database the demo clinic is seeded (its documents are the real ones: talons,
information forms, refusals, complaint replies). Every issue_document call of the seed is recorded (kind,
template, context, language); each run then replays one of them through the document engine twice, in
alternating order so drift on a shared machine affects both alike:

- unsigned:  app.services.documents.issue_document with the signing step replaced by "store as rendered"
             (the engine before issue 21: number, QR, template, WeasyPrint, SHA-256, the stored row);
- signed:    the same call as the app makes it: the above plus the PAdES signature (pyHanko, the clinic's
             PKCS#12 key, SHA-256) and the hash of the signed PDF.

Each call is flushed and rolled back. Printed: medians, means and the ratio signed / unsigned of the medians,
in process CPU time (steadier on a shared machine) and wall-clock time.
Target (issue 21): at most 1.20. Not a test: nothing asserts on timings.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app, freeze_startup_objects  # noqa: E402
from app.demo import seed  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Base  # noqa: E402
from app.services import document_signing  # noqa: E402
from app.services import documents as documents_service  # noqa: E402
from app.signing import generate_key_file, key_password  # noqa: E402

WARM_UP = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--key", choices=("ecdsa", "rsa"), default="ecdsa")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        key_file = Path(folder) / "clinic.p12"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.db'}",
                "SECRET_KEY": "bench",
                "SERVER_NAME": "localhost",
                "SIGNING_KEY_FILE": str(key_file),
            }
        )
        freeze_startup_objects()
        with app.app_context():
            Base.metadata.drop_all(db.engine)
            Base.metadata.create_all(db.engine)
            from datetime import timedelta

            from app.core.clock import now

            generate_key_file(
                key_file,
                key_password(app.config),
                organisation="Bench clinic",
                moment=now() - timedelta(days=400),
                validity=timedelta(days=1200),
                key_type=args.key,
            )
            calls = _recorded_seed()
            db.session.commit()
            kinds = sorted({call[0] for call in calls})
            print(
                f"{len(calls)} documents issued by the demo seed ({', '.join(kinds)}); {args.runs} replays x2"
            )
            unsigned, signed = _measure(calls, args.runs)
    _report(unsigned, signed, args.key)


def _recorded_seed() -> list[tuple]:
    calls = []
    original = documents_service.issue_document

    def recording(kind, template, context, **kwargs):
        calls.append((kind, template, context, kwargs))
        return original(kind, template, context, **kwargs)

    documents_service.issue_document = recording
    try:
        seed()
    finally:
        documents_service.issue_document = original
    return calls


def _unsigned(document, pdf):
    document_signing._set_pdf(document, pdf, document_signing.UNSIGNED_LEGACY, None, "")
    return document


def _issue(call, *, sign: bool) -> float:
    kind, template, context, kwargs = call
    kwargs = {**kwargs, "flush": True}
    original = document_signing.sign_or_queue
    if not sign:
        document_signing.sign_or_queue = _unsigned
    try:
        started, cpu = time.perf_counter(), time.process_time()
        document = documents_service.issue_document(kind, template, context, **kwargs)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        document_signing.sign_or_queue = original
    assert document.signature_state == ("signed" if sign else "none"), document.signature_state
    db.session.rollback()
    return elapsed * 1000, cpu * 1000


def _measure(calls, runs):
    unsigned, signed = [], []
    for index in range(WARM_UP + runs):
        call = calls[index % len(calls)]
        order = (False, True) if index % 2 else (True, False)
        for sign in order:
            elapsed = _issue(call, sign=sign)
            if index >= WARM_UP:
                (signed if sign else unsigned).append(elapsed)
    return unsigned, signed


def _report(unsigned, signed, key):
    print(f"key: {key}")
    for index, clock in ((1, "process CPU"), (0, "wall clock")):
        a = [sample[index] for sample in unsigned]
        b = [sample[index] for sample in signed]
        u, s = statistics.median(a), statistics.median(b)
        print(f"{clock}:")
        print(f"  document path, unsigned: median {u:7.1f} ms   mean {statistics.mean(a):7.1f} ms")
        print(f"  document path, signed:   median {s:7.1f} ms   mean {statistics.mean(b):7.1f} ms")
        print(f"  signing adds {s - u:.1f} ms: signed / unsigned = {s / u:.2f} (target <= 1.20)")


if __name__ == "__main__":
    main()
