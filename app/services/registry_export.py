"""Exporting the local registry as CSV, in the import format of app.services.registry_csv, so an export can be
edited and imported again."""

import csv
import io
from collections.abc import Iterator
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import RegistryAttachment, RegistryPerson, RegistryRegisterEntry
from app.models.registry import REGISTER_CODES
from app.services.registry_csv import COLUMNS


def export_csv() -> Iterator[str]:
    """The whole local registry in the import format (so an export can be edited and imported again).

    Starts with a byte-order mark: Excel needs it to read Kazakh letters from a CSV file. Read as plain rows
    (a person joined with their attachment, then every register entry), not as ORM objects: a city clinic's
    registry is 30,000 people and more, and objects cost ten times the rows (issue 22)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield "\ufeff" + _drain(buffer)
    entries: dict[int, dict[str, date]] = {}
    for person_id, register, since in db.session.connection().execute(
        select(RegistryRegisterEntry.person_id, RegistryRegisterEntry.register, RegistryRegisterEntry.since)
    ):
        entries.setdefault(person_id, {})[register] = since
    person, attachment = RegistryPerson, RegistryAttachment
    query = (
        select(
            person.id,
            person.iin,
            person.last_name,
            person.first_name,
            person.middle_name,
            person.birth_date,
            person.sex,
            person.address,
            person.phone,
            attachment.id.label("attachment_id"),
            attachment.clinic_code,
            attachment.clinic_name,
            attachment.district_number,
            attachment.since,
            attachment.last_free_choice_on,
        )
        .outerjoin(attachment, attachment.person_id == person.id)
        .order_by(person.last_name, person.first_name, person.iin)
    )
    # On the session's connection, not through the ORM's result layer: these are plain rows.
    rows = db.session.connection().execute(query.execution_options(yield_per=1000))
    for (
        person_id,
        iin,
        last_name,
        first_name,
        middle_name,
        birth_date,
        sex,
        address,
        phone,
        attachment_id,
        clinic_code,
        clinic_name,
        district_number,
        since,
        last_free_choice_on,
    ) in rows:
        has_attachment = attachment_id is not None
        attached = has_attachment and bool(clinic_code)
        registers = entries.get(person_id, {})
        writer.writerow(
            [
                iin,
                last_name,
                first_name,
                middle_name,
                birth_date.isoformat(),
                sex,
                address,
                phone,
                (clinic_code or "") if has_attachment else "",
                clinic_name if attached else "",
                _text(district_number) if attached else "",
                _text(since) if attached else "",
                _text(last_free_choice_on) if has_attachment else "",
                *(_text(registers.get(code)) for code in REGISTER_CODES),
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
