"""Benchmark: issuing one information form, from the HTTP request to the stored PDF, against WeasyPrint
rendering the very same HTML on its own.

    .venv/bin/python bench/issue_form.py [--runs 40] [--database-url URL]

On a fresh database (a temporary SQLite file unless --database-url is given) a person on the TB register
signs in once; then each run times:

- issue:      POST /certificates/tb/requests through the Flask test client, in process: view, rate limit,
              request + events, registry lookups, clinic card, template, WeasyPrint, SHA-256, QR, the stored
              Document and the commit. The clock stops when the response (a 303 to the request page) is back.
- raw cold:   weasyprint.HTML(string=html).write_pdf(stylesheets=[print.css]) on the HTML the engine rendered
              for a form, as a plain WeasyPrint call makes it (a new font configuration every time).
- raw warm:   the same, reusing one font configuration and the parsed stylesheet, as the engine does: the
              floor the engine can reach; everything above it is Emhana's own work.

The three are interleaved, after a warm-up, so drift affects them alike. Prints medians, p90 and the
ratios issue / raw. Targets (issue 7): issue / raw under 1.3x, issue median under 150 ms.
Not a test: nothing asserts.
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

from app import create_app  # noqa: E402
from app.documents import PRINT_STYLESHEET, STATIC_BASE_URL, StaticOnlyFetcher  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Base, Patient, RegistryPerson, RegistryRegisterEntry, SmsMessage  # noqa: E402
from app.models.registry import name_key  # noqa: E402
from app.services import documents as documents_service  # noqa: E402
from app.services.clock import now  # noqa: E402
from app.services.demo import seed  # noqa: E402
from app.services.iin import make_iin  # noqa: E402

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
        with app.app_context():
            Base.metadata.drop_all(db.engine)
            Base.metadata.create_all(db.engine)
            seed()
            iin = _person()
            db.session.commit()
            client = app.test_client()
            _sign_in(client, iin)
            html = _captured_html(client)
            timings = _measure(client, html, args.runs)
        _report(timings, url)


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


def _captured_html(client) -> str:
    """The HTML the engine renders for a form, taken from a real issue."""
    captured = {}
    original = documents_service.html_to_pdf

    def recording(html: str) -> bytes:
        captured["html"] = html
        return original(html)

    documents_service.html_to_pdf = recording
    try:
        _issue(client)
    finally:
        documents_service.html_to_pdf = original
    return captured["html"]


def _raw_cold(html: str) -> None:
    fetcher = StaticOnlyFetcher()
    font_config = FontConfiguration()
    stylesheet = CSS(filename=str(PRINT_STYLESHEET), url_fetcher=fetcher, font_config=font_config)
    HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=fetcher).write_pdf(
        stylesheets=[stylesheet], font_config=font_config
    )


class _Warm:
    def __init__(self):
        self.fetcher = StaticOnlyFetcher()
        self.font_config = FontConfiguration()
        self.stylesheet = CSS(
            filename=str(PRINT_STYLESHEET), url_fetcher=self.fetcher, font_config=self.font_config
        )

    def __call__(self, html: str) -> None:
        HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=self.fetcher).write_pdf(
            stylesheets=[self.stylesheet], font_config=self.font_config
        )


def _measure(client, html: str, runs: int) -> dict[str, dict[str, list[float]]]:
    """Wall time and this process's CPU time of each step: on a shared, busy machine the CPU time is the
    steadier figure (everything here runs in this one process and thread)."""
    warm = _Warm()
    steps = {
        "issue": lambda: _issue(client),
        "raw cold": lambda: _raw_cold(html),
        "raw warm": lambda: warm(html),
    }
    timings = {clock: {name: [] for name in steps} for clock in ("wall", "cpu")}
    for index in range(WARM_UP + runs):
        for name, step in steps.items():
            wall, cpu = time.perf_counter(), time.process_time()
            step()
            if index >= WARM_UP:
                timings["wall"][name].append((time.perf_counter() - wall) * 1000)
                timings["cpu"][name].append((time.process_time() - cpu) * 1000)
    return timings


def _report(timings: dict[str, dict[str, list[float]]], url: str) -> None:
    def p90(values):
        return statistics.quantiles(values, n=10)[-1]

    runs = len(timings["wall"]["issue"])
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    database = url.split("://")[0]
    print(
        f"database: {database}, runs: {runs} (after {WARM_UP} warm-up), cpus: {os.cpu_count()}, load: {load}"
    )
    print(f"{'':10} {'wall median':>12} {'wall p90':>9} {'cpu median':>11} {'cpu p90':>8}   (ms)")
    for name in timings["wall"]:
        wall, cpu = timings["wall"][name], timings["cpu"][name]
        wall_median, cpu_median = statistics.median(wall), statistics.median(cpu)
        print(f"{name:10} {wall_median:12.1f} {p90(wall):9.1f} {cpu_median:11.1f} {p90(cpu):8.1f}")
    for clock in ("wall", "cpu"):
        issue = statistics.median(timings[clock]["issue"])
        cold = statistics.median(timings[clock]["raw cold"])
        warm = statistics.median(timings[clock]["raw warm"])
        print(
            f"{clock}: issue / raw cold {issue / cold:.2f}x, issue / raw warm {issue / warm:.2f}x "
            f"(target < 1.3x); issue median {issue:.1f} ms (target < 150 ms)"
        )


if __name__ == "__main__":
    main()
