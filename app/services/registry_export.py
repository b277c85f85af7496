"""Exporting the local registry as CSV, in the import format of app.services.registry_csv, so an export can be
edited and imported again."""

import csv
import io
from collections.abc import Iterator
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import RegistryPerson
from app.models.registry import REGISTER_CODES
from app.services.registry_csv import COLUMNS


def export_csv() -> Iterator[str]:
    """The whole local registry in the import format (so an export can be edited and imported again).

    Starts with a byte-order mark: Excel needs it to read Kazakh letters from a CSV file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield "\ufeff" + _drain(buffer)
    query = select(RegistryPerson).order_by(
        RegistryPerson.last_name, RegistryPerson.first_name, RegistryPerson.iin
    )
    for person in db.session.scalars(query.execution_options(yield_per=1000)):
        attachment = person.attachment
        entries = {entry.register: entry.since for entry in person.register_entries}
        writer.writerow(
            [
                person.iin,
                person.last_name,
                person.first_name,
                person.middle_name,
                person.birth_date.isoformat(),
                person.sex,
                person.address,
                person.phone,
                (attachment.clinic_code or "") if attachment else "",
                attachment.clinic_name if attachment and attachment.clinic_code else "",
                _text(attachment.district_number) if attachment and attachment.clinic_code else "",
                _text(attachment.since) if attachment and attachment.clinic_code else "",
                _text(attachment.last_free_choice_on) if attachment else "",
                *(_text(entries.get(code)) for code in REGISTER_CODES),
            ]
        )
        if buffer.tell() > 64 * 1024:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _text(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)
