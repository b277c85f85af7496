"""Benchmark: issuing one information form, from the HTTP request to the stored PDF, and the document
engine's overhead over plain WeasyPrint rendering the very same HTML (issue 7).

    .venv/bin/python bench/issue_form.py [--runs 40] [--database-url URL]

On a fresh database (a temporary SQLite file unless --database-url is given) a person on the TB register
signs in once; then each run times, interleaved so that drift on a shared machine affects all alike:

- request:    POST /certificates/tb/requests through the Flask test client, in process, until the response
              (a 303 to the request page) is back: view, rate limit, service request and its events, registry
              lookups, the savepoint, the document, the commit. Inside it two spans are timed as well:
  - engine:   app.services.documents.issue_document, i.e. everything the document engine does for one
              form: the number, the QR code (segno), the template, the PDF (below), SHA-256 and the stored
              Document row.
  - engine PDF: app.documents.html_to_pdf alone, the WeasyPrint call as the engine makes it.
- engine PDF alone: the same html_to_pdf call on that run's HTML, outside the request, timed like raw.
  It and raw warm take turns at going first after the request: in a fixed order the second of the two
  came out 2-3% slower (raw warm, which flattered every ratio to it).
- raw warm:   plain WeasyPrint on the HTML the engine rendered in that very run:
                  HTML(string=html, base_url=<app/static>).write_pdf(stylesheets=[css], font_config=fonts)
              with WeasyPrint's own default URL fetcher, `css = CSS(filename=print.css, font_config=fonts)`
              and `fonts = FontConfiguration()` built once and reused, as any long-running WeasyPrint user
              would. This is the fair baseline: the engine reuses exactly these two objects too.
- raw cold:   the same call with a new FontConfiguration and a newly parsed print.css every time (what a
              one-off script does); shown for reference only, it flatters anything compared with it. Timed
              in a pass of its own after the others, on the same HTMLs: each cold call leaves a font
              configuration and a stylesheet in reference cycles, and the collection that frees them used to
              land inside the next timed request (about 2 ms of its PDF span, issue 7).

The app is built as a worker builds it (wsgi.py): create_app(), then freeze_startup_objects(), so the
garbage collector's full collections skip the startup objects there as here. Each request runs in its own
app context (a fresh `g` and database session), as under a server.

Before timing, the bench checks that the engine and raw WeasyPrint make byte-identical PDFs of the same HTML,
so "the same HTML" really is the same work.

Ratios are of medians (CPU means are printed as well: garbage-collection pauses show there). Targets
(issue 7): engine / raw warm under 1.3x, request median under 150 ms.
request / raw warm is printed too: what it adds beyond the engine is the certificate service's own work
(rate limit, request, events, registry), not document rendering. Not a test: nothing asserts on timings.
"""

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from app import create_app, freeze_startup_objects  # noqa: E402
from app.core.clock import now  # noqa: E402
from app.core.iin import make_iin  # noqa: E402
from app.demo import seed  # noqa: E402
from app.documents import PRINT_STYLESHEET, STATIC_BASE_URL, html_to_pdf  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Base, Patient, RegistryPerson, RegistryRegisterEntry, SmsMessage  # noqa: E402
from app.models.registry import name_key  # noqa: E402
from app.services import certificates as certificates_service  # noqa: E402
from app.services import documents as documents_service  # noqa: E402

WARM_UP = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                "SERVER_NAME": "localhost",
                "CERTIFICATE_REQUESTS_PER_DAY": 100_000,
            }
        )
        freeze_startup_objects()  # as wsgi.py does in every worker
        with app.app_context():
            Base.metadata.drop_all(db.engine)
            Base.metadata.create_all(db.engine)
            seed()
            iin = _person()
            db.session.commit()
            client = app.test_client()
            _sign_in(client, iin)
        # Outside that app context: each request pushes its own, with a fresh `g` and database session, as
        # under a real server (inside it, every request shared one session and one `g`).
        with _Spans() as spans:
            identical = _same_pdf_as_raw(client, spans)
            timings = _measure(client, spans, args.runs)
        _report(timings, url, identical)


def _person() -> str:
    iin = make_iin(date(1984, 6, 15), "M", serial=9001)
    person = RegistryPerson(
        iin=iin,
        last_name="Жақсылықов",
        first_name="Әлихан",
        middle_name="Серікұлы",
        birth_date=date(1984, 6, 15),
        sex="M",
        address="Алматы қ., Абай даңғылы, 120, 45",
        phone="+77019000001",
        name_key=name_key("Жақсылықов", "Әлихан", "Серікұлы"),
        updated_at=now(),
    )
    db.session.add(person)
    db.session.flush()
    db.session.add(RegistryRegisterEntry(person=person, register="tb", since=date(2021, 2, 1)))
    db.session.add(
        Patient(
            iin=iin,
            last_name=person.last_name,
            first_name=person.first_name,
            middle_name=person.middle_name,
            birth_date=person.birth_date,
            sex="M",
            address=person.address,
            phone=person.phone,
            language="kk",
            created_at=now(),
        )
    )
    return iin


def _sign_in(client, iin: str) -> None:
    client.post("/certificates/tb/code", data={"iin": iin})
    text = db.session.query(SmsMessage).order_by(SmsMessage.id.desc()).first().text
    code = re.search(r"(?<![\w-])(\d{6})(?![\w-])", text).group(1)
    response = client.post("/certificates/tb/sign-in", data={"iin": iin, "code": code})
    assert response.status_code == 200, response.status_code


def _issue(client) -> None:
    response = client.post("/certificates/tb/requests", data={"for_whom": "self"})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]


class _Spans:
    """Times the engine's spans inside each request (wrapping the module attributes the request calls) and
    keeps the HTML the engine rendered, for raw WeasyPrint to render the same."""

    SPANS = {
        "engine": (certificates_service, "issue_document"),
        "engine PDF": (documents_service, "html_to_pdf"),
    }

    def __init__(self):
        self.last: dict[str, tuple[float, float]] = {}
        self.html = ""
        self._originals = {}

    def __enter__(self):
        for name, (module, attribute) in self.SPANS.items():
            original = self._originals[name] = getattr(module, attribute)
            setattr(module, attribute, self._timed(name, original))
        return self

    def __exit__(self, *exc):
        for name, (module, attribute) in self.SPANS.items():
            setattr(module, attribute, self._originals[name])

    def _timed(self, name, function):
        def timed(*args, **kwargs):
            if name == "engine PDF":
                self.html = args[0]
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.last[name] = (time.perf_counter() - wall, time.process_time() - cpu)

        return timed


def _raw_cold(html: str) -> bytes:
    font_config = FontConfiguration()
    stylesheet = CSS(filename=str(PRINT_STYLESHEET), font_config=font_config)
    return HTML(string=html, base_url=STATIC_BASE_URL).write_pdf(
        stylesheets=[stylesheet], font_config=font_config
    )


class _RawWarm:
    """Plain WeasyPrint with its default URL fetcher; the font configuration and the parsed stylesheet are
    made once and reused (WeasyPrint supports this; the engine does the same per thread)."""

    def __init__(self):
        self.font_config = FontConfiguration()
        self.stylesheet = CSS(filename=str(PRINT_STYLESHEET), font_config=self.font_config)

    def __call__(self, html: str) -> bytes:
        return HTML(string=html, base_url=STATIC_BASE_URL).write_pdf(
            stylesheets=[self.stylesheet], font_config=self.font_config
        )


def _same_pdf_as_raw(client, spans: _Spans) -> bool:
    """Whether the engine and raw WeasyPrint (warm and cold) make byte-identical PDFs of one form's HTML."""
    _issue(client)
    engine_pdf = html_to_pdf(spans.html)
    return engine_pdf == _RawWarm()(spans.html) == _raw_cold(spans.html)


def _measure(client, spans: _Spans, runs: int) -> dict[str, dict[str, list[float]]]:
    """Wall time and this process's CPU time, in ms: on a shared, busy machine the CPU time is the steadier
    figure (everything here runs in this one process and thread)."""
    raw_warm = _RawWarm()
    names = ("request", "engine", "engine PDF", "engine PDF alone", "raw warm", "raw cold")
    timings = {clock: {name: [] for name in names} for clock in ("wall", "cpu")}
    htmls = []

    def record(name, wall, cpu):
        timings["wall"][name].append(wall * 1000)
        timings["cpu"][name].append(cpu * 1000)

    def timed(render, html):
        wall, cpu = time.perf_counter(), time.process_time()
        render(html)
        return time.perf_counter() - wall, time.process_time() - cpu

    for index in range(WARM_UP + runs):
        wall, cpu = time.perf_counter(), time.process_time()
        _issue(client)
        request = (time.perf_counter() - wall, time.process_time() - cpu)
        html = spans.html  # this run's form, so that raw WeasyPrint renders exactly what the engine did
        renders = [("engine PDF alone", html_to_pdf), ("raw warm", raw_warm)]
        if index % 2:  # either goes first every other run: neither is always the one nearer the request
            renders.reverse()
        raw = {name: timed(render, html) for name, render in renders}
        if index >= WARM_UP:
            htmls.append(html)
            record("request", *request)
            for name in ("engine", "engine PDF"):
                record(name, *spans.last[name])
            for name, (wall, cpu) in raw.items():
                record(name, wall, cpu)
    for html in htmls:  # after the rest: see "raw cold" in the module doc
        record("raw cold", *timed(_raw_cold, html))
    return timings


def _report(timings: dict[str, dict[str, list[float]]], url: str, identical: bool) -> None:
    def p90(values):
        return statistics.quantiles(values, n=10)[-1]

    runs = len(timings["wall"]["request"])
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    database = url.split("://")[0]
    print(
        f"database: {database}, runs: {runs} (after {WARM_UP} warm-up), cpus: {os.cpu_count()}, load: {load}"
    )
    print(f"engine and raw WeasyPrint PDFs of the same HTML byte-identical: {'yes' if identical else 'NO'}")
    print(
        f"{'':16} {'wall median':>12} {'wall p90':>9} {'cpu median':>11} {'cpu mean':>9} {'cpu p90':>8}  (ms)"
    )
    for name in timings["wall"]:
        wall, cpu = timings["wall"][name], timings["cpu"][name]
        wall_median, cpu_median = statistics.median(wall), statistics.median(cpu)
        print(
            f"{name:16} {wall_median:12.1f} {p90(wall):9.1f} {cpu_median:11.1f} {statistics.mean(cpu):9.1f} "
            f"{p90(cpu):8.1f}"
        )
    for clock in ("wall", "cpu"):
        median = {name: statistics.median(values) for name, values in timings[clock].items()}
        warm = median["raw warm"]
        print(
            f"{clock}: engine / raw warm {median['engine'] / warm:.2f}x (target < 1.3x), "
            f"engine PDF / raw warm {median['engine PDF'] / warm:.2f}x "
            f"(alone {median['engine PDF alone'] / warm:.2f}x), "
            f"request / raw warm {median['request'] / warm:.2f}x, "
            f"request / raw cold {median['request'] / median['raw cold']:.2f}x; "
            f"request median {median['request']:.1f} ms (target < 150 ms)"
        )
    mean = {name: statistics.mean(values) for name, values in timings["cpu"].items()}
    print(
        f"cpu means: request / raw warm {mean['request'] / mean['raw warm']:.2f}x, "
        f"engine / raw warm {mean['engine'] / mean['raw warm']:.2f}x"
    )


if __name__ == "__main__":
    main()
