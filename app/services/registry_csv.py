"""CSV import of the local registry (the export is app.services.registry_export).

The file's first line names its columns (any order, any subset that includes the required ones):

    iin, last_name, first_name, middle_name, birth_date, sex, address, phone,
    clinic_code, clinic_name, district_number, attached_since, last_free_choice_on,
    tb_since, psychiatry_since, narcology_since

Dates are YYYY-MM-DD or DD.MM.YYYY; comma, semicolon or tab separated; UTF-8 (Excel's "CSV UTF-8").
A person already in the registry is updated; a column the file does not have leaves that detail unchanged.
An empty `<register>_since` means "not on that register"; an empty clinic_code means "not attached".

Import is two steps: `read_csv` validates everything and reports problems by line; `apply_import` writes,
all rows or (only when asked) just the valid ones, in bulk, so 10,000 people take seconds.
"""

import csv
import io
import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, select, update

from app.core.clock import local_now, now
from app.core.iin import InvalidIin, parse_iin
from app.core.inputs import clean_text, to_day, to_int
from app.extensions import db
from app.models import RegistryAttachment, RegistryPerson, RegistryRegisterEntry
from app.models.registry import REGISTER_CODES, name_key
from app.services import file_store
from app.services.local_registry import PersonRecord, normalise_phone

log = logging.getLogger(__name__)

COLUMNS = (
    "iin",
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "sex",
    "address",
    "phone",
    "clinic_code",
    "clinic_name",
    "district_number",
    "attached_since",
    "last_free_choice_on",
    "tb_since",
    "psychiatry_since",
    "narcology_since",
)
REQUIRED_COLUMNS = ("iin", "last_name", "first_name")
ATTACHMENT_COLUMNS = ("clinic_code", "clinic_name", "district_number", "attached_since")
MAX_LENGTHS = {
    "last_name": 100,
    "first_name": 100,
    "middle_name": 100,
    "address": 500,
    "clinic_code": 20,
    "clinic_name": 300,
}
SEX_CODES = {"M": "M", "F": "F", "М": "M", "Ж": "F", "Е": "M", "Ә": "F"}  # Latin, Russian, Kazakh
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
CHUNK = 500  # IINs looked up one by one through the index, at most
ID_CHUNK = 5000  # person ids per IN (...) clause: few statements, well under SQLite's parameter limit
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file (line None) or with one of its lines."""

    line: int | None
    column: str | None
    message: object  # a lazy translatable string
    value: str = ""


@dataclass(frozen=True)
class ParsedRow:
    line: int
    record: PersonRecord
    birth_date: date
    sex: str


@dataclass
class ImportPreview:
    columns: tuple[str, ...] = ()
    rows: list[ParsedRow] = field(default_factory=list)  # the valid rows
    problems: list[Problem] = field(default_factory=list)
    total_rows: int = 0
    new_count: int = 0
    update_count: int = 0

    @property
    def file_problems(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.line is None]

    @property
    def error_lines(self) -> list[int]:
        return sorted({problem.line for problem in self.problems if problem.line is not None})

    @property
    def can_import_all(self) -> bool:
        return bool(self.rows) and not self.problems

    @property
    def can_import_valid_only(self) -> bool:
        return bool(self.rows) and bool(self.problems) and not self.file_problems


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    skipped_lines: int


class ImportRefused(Exception):
    """Nothing was imported; `message` says why (translatable)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# -- reading --------------------------------------------------------------------------------------------
def read_csv(data: bytes) -> ImportPreview:
    """Validate a whole file. Nothing is written."""
    preview = ImportPreview()
    if len(data) > MAX_FILE_BYTES:
        preview.problems.append(
            Problem(None, None, _l("The file is larger than 20 MB: split it into parts."))
        )
        return preview
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        preview.problems.append(
            Problem(None, None, _l("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”."))
        )
        return preview
    if not text.strip():
        preview.problems.append(Problem(None, None, _l("The file is empty.")))
        return preview

    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    if not _check_header(header, preview):
        return preview
    preview.columns = tuple(header)

    today = local_now().date()
    lines_by_iin: dict[str, list[int]] = {}
    candidates: list[ParsedRow] = []
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, often at the end of a file
        preview.total_rows += 1
        if preview.total_rows > MAX_ROWS:
            preview.problems.append(
                Problem(None, None, _l("The file has more than %(count)s rows: split it.", count=MAX_ROWS))
            )
            return preview
        if len(cells) != len(header):
            preview.problems.append(
                Problem(
                    line,
                    None,
                    _l(
                        "The line has %(found)s values, the header has %(expected)s columns.",
                        found=len(cells),
                        expected=len(header),
                    ),
                )
            )
            continue
        row = _parse_row(
            # Control and bidi characters are dropped: a file from elsewhere may carry them (a NUL cannot be
            # stored by PostgreSQL, a bidi control would print a name backwards).
            line,
            dict(zip(header, (clean_text(cell).strip() for cell in cells), strict=True)),
            today,
            preview,
        )
        if row is not None:
            lines_by_iin.setdefault(row.record.iin, []).append(line)
            candidates.append(row)

    duplicated = {iin: lines for iin, lines in lines_by_iin.items() if len(lines) > 1}
    for iin, lines in duplicated.items():
        listed = ", ".join(str(number) for number in lines)
        for line in lines:
            preview.problems.append(
                Problem(
                    line,
                    "iin",
                    _l("The IIN appears more than once in the file (lines %(lines)s).", lines=listed),
                    iin,
                )
            )
    preview.rows = [row for row in candidates if row.record.iin not in duplicated]
    preview.problems.sort(key=lambda problem: (problem.line or 0, COLUMNS.index(problem.column or "iin")))
    existing = _existing_ids([row.record.iin for row in preview.rows])
    preview.update_count = sum(1 for row in preview.rows if row.record.iin in existing)
    preview.new_count = len(preview.rows) - preview.update_count
    return preview


def _check_header(header: list[str], preview: ImportPreview) -> bool:
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    repeated = sorted({name for name in header if header.count(name) > 1})
    if unknown:
        preview.problems.append(
            Problem(
                None,
                None,
                _l(
                    "Unknown columns: %(names)s. The columns Emhana reads: %(known)s.",
                    names=", ".join(unknown),
                    known=", ".join(COLUMNS),
                ),
            )
        )
    if missing:
        preview.problems.append(
            Problem(None, None, _l("Required columns are missing: %(names)s.", names=", ".join(missing)))
        )
    if repeated:
        preview.problems.append(
            Problem(None, None, _l("Columns named twice: %(names)s.", names=", ".join(repeated)))
        )
    return not preview.problems


def _parse_row(line: int, cells: dict[str, str], today: date, preview: ImportPreview) -> ParsedRow | None:
    problems: list[Problem] = []

    def problem(column: str, message, value: str = "") -> None:
        problems.append(Problem(line, column, message, value))

    def read_date(column: str) -> date | None:
        value = cells.get(column, "")
        if not value:
            return None
        parsed = parse_date(value)
        if parsed is None:
            problem(column, _l("Not a date: write YYYY-MM-DD or DD.MM.YYYY."), value)
        elif parsed > today:
            problem(column, _l("The date is in the future."), value)
        return parsed

    raw_iin = cells.get("iin", "")
    info = None
    try:
        info = parse_iin(raw_iin)
    except InvalidIin as error:
        problem("iin", error.message, raw_iin)

    for column in ("last_name", "first_name"):
        if not cells.get(column):
            problem(column, _l("This column is required."))
    for column, limit in MAX_LENGTHS.items():
        if len(cells.get(column, "")) > limit:
            problem(column, _l("Longer than %(limit)s characters.", limit=limit), cells[column][:40] + "…")

    birth_date = read_date("birth_date")
    if info and birth_date and birth_date != info.birth_date:
        problem("birth_date", _l("The birth date does not match the IIN."), cells["birth_date"])
    raw_sex = cells.get("sex", "")
    if raw_sex:
        sex = SEX_CODES.get(raw_sex.upper())
        if sex is None:
            problem("sex", _l("Write M or F."), raw_sex)
        elif info and sex != info.sex:
            problem("sex", _l("The sex does not match the IIN."), raw_sex)

    phone = ""
    if cells.get("phone"):
        try:
            phone = normalise_phone(cells["phone"])
        except ValueError:
            problem("phone", _l("Not a Kazakhstan phone number (+7 and 10 digits)."), cells["phone"])

    clinic_code = cells.get("clinic_code") or None
    district_number = None
    if cells.get("district_number"):
        district_number = to_int(cells["district_number"], minimum=1)
        if district_number is None:
            problem(
                "district_number",
                _l("Not a district number (a whole number, 1 or more)."),
                cells["district_number"],
            )
    attached_since = read_date("attached_since")
    if clinic_code and district_number is None and not cells.get("district_number"):
        problem("district_number", _l("An attachment needs the district number."))
    if not clinic_code and (
        cells.get("district_number") or cells.get("attached_since") or cells.get("clinic_name")
    ):
        problem("clinic_code", _l("District, clinic name or date given without the clinic code."))
    last_free_choice_on = read_date("last_free_choice_on")
    registers = {code: read_date(f"{code}_since") for code in REGISTER_CODES}

    if problems:
        preview.problems.extend(problems)
        return None
    record = PersonRecord(
        iin=info.iin,
        last_name=cells["last_name"],
        first_name=cells["first_name"],
        middle_name=cells.get("middle_name", ""),
        address=cells.get("address", ""),
        phone=phone,
        clinic_code=clinic_code,
        clinic_name=cells.get("clinic_name", "") if clinic_code else "",
        district_number=district_number,
        attached_since=attached_since,
        last_free_choice_on=last_free_choice_on,
        registers=registers,
    )
    return ParsedRow(line, record, info.birth_date, info.sex)


def parse_date(value: str) -> date | None:
    """YYYY-MM-DD or DD.MM.YYYY (how Excel writes dates in a Kazakh or Russian locale); None otherwise."""
    try:
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            return to_day(value)
        day, month, year = value.split(".")
        if len(year) == 4:
            return to_day(date(int(year), int(month), int(day)))
    except ValueError:
        return None
    return None


def _existing_ids(iins: list[str]) -> dict[str, int]:
    """{iin: person id} for those of `iins` already in the registry.

    A few IINs: looked up by the unique index. Many: one pass over (iin, id) of the whole table is far
    cheaper than dozens of IN (...) queries (10,000 IINs: ~10 ms against ~0.5 s on PostgreSQL)."""
    wanted = set(iins)
    if not wanted:
        return {}
    if len(wanted) <= CHUNK:
        query = select(RegistryPerson.iin, RegistryPerson.id).where(RegistryPerson.iin.in_(wanted))
    else:
        query = select(RegistryPerson.iin, RegistryPerson.id)
    return {iin: person_id for iin, person_id in db.session.execute(query) if iin in wanted}


# -- writing --------------------------------------------------------------------------------------------
def apply_import(preview: ImportPreview, *, only_valid: bool = False) -> ImportResult:
    """Write the preview's rows. With problems in the file nothing is written unless `only_valid`."""
    if preview.file_problems:
        raise ImportRefused(_l("The file cannot be read; nothing was imported."))
    if preview.problems and not only_valid:
        raise ImportRefused(
            _l(
                "The file has rows with errors, so nothing was imported. "
                "Fix them, or import only the valid rows."
            )
        )
    if not preview.rows:
        raise ImportRefused(_l("There are no valid rows to import."))

    columns = set(preview.columns)
    moment = now()
    existing = _existing_ids([row.record.iin for row in preview.rows])
    new_people, changed_people = [], []
    for row in preview.rows:
        record = row.record
        values = {
            "last_name": record.last_name,
            "first_name": record.first_name,
            "birth_date": row.birth_date,
            "sex": row.sex,
            "updated_at": moment,
        }
        for column in ("middle_name", "address", "phone"):
            if column in columns:
                values[column] = getattr(record, column)
        if "middle_name" in columns:
            values["name_key"] = name_key(record.last_name, record.first_name, record.middle_name)
        person_id = existing.get(record.iin)
        if person_id is None:
            values.setdefault("middle_name", "")
            values.setdefault("address", "")
            values.setdefault("phone", "")
            values["name_key"] = name_key(record.last_name, record.first_name, values["middle_name"])
            new_people.append({"iin": record.iin, **values})
        else:
            changed_people.append({"id": person_id, **values})
    if new_people:
        db.session.execute(insert(RegistryPerson), new_people)
    if changed_people:
        db.session.execute(update(RegistryPerson), changed_people)
        if "middle_name" not in columns:  # the search key needs the patronymic the file did not give
            _refresh_name_keys([values["id"] for values in changed_people])
    ids = existing | _existing_ids([values["iin"] for values in new_people])
    person_ids = [ids[row.record.iin] for row in preview.rows]

    if columns & {*ATTACHMENT_COLUMNS, "last_free_choice_on"}:
        _replace_attachments(preview, ids, person_ids, columns)
    for code in REGISTER_CODES:
        if f"{code}_since" in columns:
            _replace_register(code, preview, ids, person_ids)
    db.session.flush()
    db.session.expire_all()
    result = ImportResult(len(new_people), len(changed_people), len(preview.error_lines))
    log.info(
        "local registry import: %d added, %d updated, %d lines skipped",
        result.created,
        result.updated,
        result.skipped_lines,
    )
    return result


def _refresh_name_keys(person_ids: list[int]) -> None:
    for start in range(0, len(person_ids), ID_CHUNK):
        rows = db.session.execute(
            select(
                RegistryPerson.id,
                RegistryPerson.last_name,
                RegistryPerson.first_name,
                RegistryPerson.middle_name,
            ).where(RegistryPerson.id.in_(person_ids[start : start + ID_CHUNK]))
        ).all()
        db.session.execute(
            update(RegistryPerson),
            [
                {"id": row.id, "name_key": name_key(row.last_name, row.first_name, row.middle_name)}
                for row in rows
            ],
        )


def _replace_attachments(preview: ImportPreview, ids: dict[str, int], person_ids: list[int], columns) -> None:
    kept: dict[int, RegistryAttachment] = {}
    for start in range(0, len(person_ids), ID_CHUNK):
        chunk = person_ids[start : start + ID_CHUNK]
        kept.update(
            (row.person_id, row)
            for row in db.session.execute(
                select(
                    RegistryAttachment.person_id,
                    RegistryAttachment.clinic_code,
                    RegistryAttachment.clinic_name,
                    RegistryAttachment.district_number,
                    RegistryAttachment.since,
                    RegistryAttachment.last_free_choice_on,
                ).where(RegistryAttachment.person_id.in_(chunk))
            )
        )
        db.session.execute(delete(RegistryAttachment).where(RegistryAttachment.person_id.in_(chunk)))
    file_has_clinic = "clinic_code" in columns
    file_has_free_choice = "last_free_choice_on" in columns
    rows = []
    for parsed in preview.rows:
        record, person_id = parsed.record, ids[parsed.record.iin]
        before = kept.get(person_id)
        if file_has_clinic:
            clinic = (record.clinic_code, record.clinic_name, record.district_number, record.attached_since)
        elif before is not None:
            clinic = (before.clinic_code, before.clinic_name, before.district_number, before.since)
        else:
            clinic = (None, "", None, None)
        free_choice = (
            record.last_free_choice_on
            if file_has_free_choice
            else (before.last_free_choice_on if before else None)
        )
        if clinic[0] or free_choice:
            rows.append(
                {
                    "person_id": person_id,
                    "clinic_code": clinic[0],
                    "clinic_name": clinic[1] or "",
                    "district_number": clinic[2],
                    "since": clinic[3],
                    "last_free_choice_on": free_choice,
                }
            )
    if rows:
        db.session.execute(insert(RegistryAttachment), rows)


def _replace_register(code: str, preview: ImportPreview, ids: dict[str, int], person_ids: list[int]) -> None:
    for start in range(0, len(person_ids), ID_CHUNK):
        db.session.execute(
            delete(RegistryRegisterEntry).where(
                RegistryRegisterEntry.register == code,
                RegistryRegisterEntry.person_id.in_(person_ids[start : start + ID_CHUNK]),
            )
        )
    rows = [
        {"person_id": ids[row.record.iin], "register": code, "since": row.record.registers[code]}
        for row in preview.rows
        if row.record.registers.get(code)
    ]
    if rows:
        db.session.execute(insert(RegistryRegisterEntry), rows)


# -- uploads awaiting the admin's confirmation ----------------------------------------------------------
# Kept in the database (app.services.file_store), not on one machine's disk: the preview and the confirmation
# may be served by two different app processes or hosts (docs/scaling.md).
UPLOAD_PURPOSE = "registry_import"
UPLOAD_LIFETIME = timedelta(hours=24)


def save_upload(data: bytes, *, staff_id: int, filename: str) -> str:
    """Keep an uploaded file between its preview and the admin's decision; returns its token."""
    # Uploads nobody confirmed hold personal data: they do not stay around.
    file_store.prune(UPLOAD_PURPOSE, older_than=UPLOAD_LIFETIME)
    token = secrets.token_urlsafe(24)
    file_store.put(
        UPLOAD_PURPOSE, data, name=token, content_type="text/csv", owner_staff_id=staff_id, label=filename
    )
    return token


def load_upload(token: str, *, staff_id: int) -> tuple[bytes, str] | None:
    """The file and its name, or None for an unknown token or another admin's upload."""
    if not _TOKEN.match(token or ""):
        return None
    stored = file_store.get(token, purpose=UPLOAD_PURPOSE)
    if stored is None or stored.owner_staff_id != staff_id:
        return None
    return stored.data, stored.label


def discard_upload(token: str) -> None:
    if _TOKEN.match(token or ""):
        file_store.remove(token, purpose=UPLOAD_PURPOSE)


def problems_csv(preview: ImportPreview) -> str:
    """The error report as CSV: line, column, value, message (in the current language)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(("line", "column", "value", "message"))
    for problem in preview.problems:
        writer.writerow((problem.line or "", problem.column or "", problem.value, str(problem.message)))
    return "\ufeff" + buffer.getvalue()
