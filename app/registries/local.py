"""The embedded local registry: the default adapter, reading and writing its own tables in the app database.

Writes only flush; the request (or CLI command, or gateway request) that called it commits.
"""

import logging
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload

from app.core.clock import now
from app.core.transaction_cache import remembered
from app.extensions import db
from app.models import Clinic, RegistryAttachment, RegistryPerson, RegistryRegisterEntry
from app.registries.contract import (
    REGISTERS,
    Attachment,
    NotFound,
    Person,
    Register,
    RegisterStatus,
    RegistryUnavailable,
)

log = logging.getLogger(__name__)

DEFAULT_SOURCE = "Emhana"
# The register that answers a register question, printed on the 004 information form's source line («Деректер
# ____ ақпараттық жүйесімен берілген» / «Данные предоставлены информационной системой ____»): the register
# that answered, as the regulation means, not the clinic's own software (issue 14). Both languages, as the
# form is bilingual. Used when no other source is configured.
REGISTER_SOURCES = {
    "tb": "Туберкулезбен ауыратын науқастардың ұлттық тіркелімі / Национальный регистр больных туберкулёзом",
    "psychiatry": "Психикалық денсаулық орталығының тіркелімі (психиатрия) / "
    "Регистр Центра психического здоровья (психиатрия)",
    "narcology": "Психикалық денсаулық орталығының тіркелімі (наркология) / "
    "Регистр Центра психического здоровья (наркология)",
}


class LocalRegistry:
    name = "local"

    def __init__(self, source: str | None = None):
        # The name of the information system that answers; a register question without one configured is
        # answered in the name of that register (REGISTER_SOURCES), as the information form prints it.
        self.source = source or DEFAULT_SOURCE
        self.register_sources = {} if source else REGISTER_SOURCES

    # -- reads -------------------------------------------------------------------------------------------
    def find_person(self, iin: str) -> Person:
        return self.person_from_row(self._person_row(iin))

    def attachment_of(self, iin: str) -> Attachment:
        return self.attachment_from_row(self._person_row(iin))

    def register_status(self, iin: str, register: Register) -> RegisterStatus:
        if register not in REGISTERS:
            raise ValueError(f"unknown register {register!r}")
        person = self._person_row(iin)
        entry = person.register_entry(register)
        return RegisterStatus(
            iin=person.iin,
            register=register,
            is_registered=entry is not None,
            since=entry.since if entry else None,
            source=self.register_sources.get(register, self.source),
        )

    # -- writes ------------------------------------------------------------------------------------------
    def attach(
        self, iin: str, clinic_code: str, district_number: int, on_date: date, *, free_choice: bool
    ) -> Attachment:
        person = self._person_row(iin)
        attachment = person.attachment
        if attachment is None:
            attachment = RegistryAttachment(person=person)
            db.session.add(attachment)
        attachment.clinic_code = clinic_code
        attachment.clinic_name = self.clinic_name_for(clinic_code)
        attachment.district_number = district_number
        attachment.since = on_date
        if free_choice:
            attachment.last_free_choice_on = on_date
        person.updated_at = now()
        db.session.flush()
        log.info("local registry: person #%s attached to %s/%s", person.id, clinic_code, district_number)
        return self.attachment_from_row(person)

    def detach(self, iin: str, clinic_code: str, on_date: date) -> Attachment:
        person = self._person_row(iin)
        attachment = person.attachment
        if attachment is not None and attachment.clinic_code == clinic_code:
            attachment.clinic_code = None
            attachment.clinic_name = ""
            attachment.district_number = None
            attachment.since = None
            person.updated_at = now()
            db.session.flush()
            log.info("local registry: person #%s detached from %s on %s", person.id, clinic_code, on_date)
        return self.attachment_from_row(person)

    def check_connection(self, *, force: bool = False) -> None:
        # A connection of its own: a failed probe must not poison the request's transaction.
        try:
            with db.engine.connect() as connection:
                connection.execute(select(RegistryPerson.id).limit(1))
        except SQLAlchemyError as error:
            log.error("local registry: its tables cannot be read: %s", error)
            raise RegistryUnavailable("database_error", type(error).__name__) from None

    # -- mapping -----------------------------------------------------------------------------------------
    def person_from_row(self, row: RegistryPerson) -> Person:
        return Person(
            iin=row.iin,
            last_name=row.last_name,
            first_name=row.first_name,
            middle_name=row.middle_name or "",
            birth_date=row.birth_date,
            sex=row.sex,
            address=row.address or "",
            phone=row.phone or "",
            source=self.source,
        )

    def attachment_from_row(self, row: RegistryPerson) -> Attachment:
        attachment = row.attachment
        if attachment is None:
            return Attachment(row.iin, None, "", None, None, None, self.source)
        return Attachment(
            iin=row.iin,
            clinic_code=attachment.clinic_code or None,
            clinic_name=attachment.clinic_name or "",
            district_number=attachment.district_number if attachment.clinic_code else None,
            since=attachment.since if attachment.clinic_code else None,
            last_free_choice_on=attachment.last_free_choice_on,
            source=self.source,
        )

    def _person_row(self, iin: str) -> RegistryPerson:
        # One query (the register entries joined, not selected after), remembered for the transaction:
        # answering a form asks for the person and then for their register status, and each read was two
        # queries plus an autoflush of the request's unrelated pending changes (issue 7). Any change to these
        # tables is still seen (see transaction_cache), a person added later included.
        person = remembered(
            ("local_registry_person", iin),
            lambda: (
                db.session.scalars(
                    select(RegistryPerson)
                    .options(joinedload(RegistryPerson.register_entries))
                    .where(RegistryPerson.iin == iin)
                )
                .unique()
                .first()
            ),
            depends_on=(RegistryPerson, RegistryAttachment, RegistryRegisterEntry),
            autoflush=False,
        )
        if person is None:
            raise NotFound(iin)
        return person

    @staticmethod
    def clinic_name_for(clinic_code: str) -> str:
        """Names travel with codes: our own clinic's profile, else the name another record gives the code."""
        clinic = db.session.scalars(select(Clinic).where(Clinic.code == clinic_code).limit(1)).first()
        if clinic is not None:
            return clinic.name_kk or clinic.name_ru
        known = db.session.scalars(
            select(RegistryAttachment.clinic_name)
            .where(RegistryAttachment.clinic_code == clinic_code, RegistryAttachment.clinic_name != "")
            .limit(1)
        ).first()
        return known or ""
