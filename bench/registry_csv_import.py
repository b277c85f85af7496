"""Benchmark: CSV import of 10,000 people into the local registry.

    .venv/bin/python bench/registry_csv_import.py [--people 10000] [--database-url URL]

Measures, on a fresh database (a temporary SQLite file unless --database-url is given):
1. validation of the file (the preview the admin sees),
2. the import of new people (insert),
3. the same file imported again (every person updated),
4. the whole admin flow through the web app: upload -> preview -> confirm, as an admin would.
Prints the rate of each. Not a test: nothing here asserts a time.
"""

import argparse
import csv
import io
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.core.iin import make_iin  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Base, RegistryPerson  # noqa: E402
from app.services import registry_csv  # noqa: E402

LAST = (
    "Ахметов",
    "Серіков",
    "Иванов",
    "Нұрпейісов",
    "Қасымов",
    "Петров",
    "Жақсылықов",
    "Омаров",
    "Ким",
    "Әбенов",
)
FIRST = ("Айдар", "Ерлан", "Дмитрий", "Нұрлан", "Бауыржан", "Сергей", "Арман", "Темірлан", "Виктор", "Әли")


def generate_csv(count: int, seed: int = 10_000) -> str:
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(registry_csv.COLUMNS)
    used = set()
    serial = 0
    while len(used) < count:
        birth = date(1940, 1, 1) + timedelta(days=rng.randint(0, 30_000))
        sex = rng.choice("MF")
        serial += 1
        iin = make_iin(birth, sex, serial=serial)
        if iin in used:
            continue
        used.add(iin)
        suffix = "а" if sex == "F" else ""
        attached = rng.random() < 0.9
        registers = [
            (date(2015, 1, 1) + timedelta(days=rng.randint(0, 3000))).isoformat()
            if rng.random() < 0.03
            else ""
            for _ in range(3)
        ]
        writer.writerow(
            [
                iin,
                rng.choice(LAST) + suffix,
                rng.choice(FIRST),
                "",
                birth.isoformat(),
                sex,
                f"Алматы қ., Абай даңғылы {rng.randint(1, 200)}",
                f"+7701{rng.randint(1_000_000, 9_999_999)}",
                "EMH-0007" if attached else "",
                "Алматы қаласының №7 қалалық емханасы" if attached else "",
                str(rng.randint(1, 5)) if attached else "",
                (date(2012, 1, 1) + timedelta(days=rng.randint(0, 4000))).isoformat() if attached else "",
                "",
                *registers,
            ]
        )
    return buffer.getvalue()


def timed(label: str, count: int, action):
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    print(f"{label:<48} {seconds:7.2f} s  {count / seconds:9,.0f} people/s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    arguments = parser.parse_args()
    count = arguments.people

    with tempfile.TemporaryDirectory() as workdir:
        url = arguments.database_url or f"sqlite:///{workdir}/bench.db"
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": url,
                "WTF_CSRF_ENABLED": False,
                "INSTANCE_UPLOADS": workdir,
            }
        )
        data = generate_csv(count).encode("utf-8")
        print(f"{count:,} people, {len(data) / 1e6:.1f} MB of CSV, database {db_name(url)}")
        with app.app_context():
            Base.metadata.drop_all(db.engine)
            Base.metadata.create_all(db.engine)
            with app.test_request_context():
                preview = timed("validate (preview)", count, lambda: registry_csv.read_csv(data))
                assert not preview.problems, preview.problems[:3]
                timed(
                    "import new people",
                    count,
                    lambda: (registry_csv.apply_import(preview), db.session.commit()),
                )
                again = registry_csv.read_csv(data)
                timed(
                    "import the same file again (updates)",
                    count,
                    lambda: (registry_csv.apply_import(again), db.session.commit()),
                )
            assert db.session.query(RegistryPerson).count() == count
            db.session.remove()  # an open transaction would make PostgreSQL wait forever on the DROP below

            Base.metadata.drop_all(db.engine)
            Base.metadata.create_all(db.engine)
            from app.services.staff_accounts import create_staff

            create_staff(
                username="bench-admin", full_name="Bench", password="bench-password-1", roles={"admin"}
            )
            db.session.commit()
            client = app.test_client()
            client.post("/staff/login", data={"username": "bench-admin", "password": "bench-password-1"})

            def through_the_web():
                preview_page = client.post(
                    "/admin/registry/import",
                    data={"file": (BytesIO(data), "people.csv")},
                    content_type="multipart/form-data",
                ).get_data(as_text=True)
                marker = 'action="/admin/registry/import/'
                start = preview_page.index(marker) + len(marker)
                token = preview_page[start : preview_page.index('"', start)]
                response = client.post(f"/admin/registry/import/{token}", data={"action": "import_all"})
                assert response.status_code == 303, response.status_code

            timed("admin flow: upload, preview, confirm", count, through_the_web)
            db.session.remove()
            assert db.session.query(RegistryPerson).count() == count
            db.engine.dispose()


def db_name(url: str) -> str:
    return url.split(":", 1)[0]


if __name__ == "__main__":
    main()
