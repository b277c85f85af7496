"""The local registry remembers a person's row for the rest of the transaction (issue 7: answering a form
read it twice); every change made meanwhile must still be seen, flushed or not."""

from datetime import date

import pytest
from sqlalchemy import select

from app.core.iin import make_iin
from app.extensions import db
from app.models import RegistryPerson, RegistryRegisterEntry
from app.registries import NotFound
from app.registries.local import LocalRegistry
from app.services import local_registry
from app.services.local_registry import PersonRecord

IIN = make_iin(date(1984, 6, 15), "M", serial=501)
LATER = make_iin(date(1990, 2, 1), "F", serial=502)


@pytest.fixture
def registry(app):
    local_registry.create_person(PersonRecord(iin=IIN, last_name="Жақсылықов", first_name="Әлихан"))
    db.session.commit()
    return LocalRegistry()


def _row(iin):
    return db.session.scalars(select(RegistryPerson).where(RegistryPerson.iin == iin)).one()


def test_a_register_entry_added_after_a_lookup_is_seen_before_and_after_the_flush(registry):
    assert not registry.register_status(IIN, "tb").is_registered
    db.session.add(RegistryRegisterEntry(person=_row(IIN), register="tb", since=date(2024, 1, 5)))
    assert registry.register_status(IIN, "tb").since == date(2024, 1, 5)  # not flushed yet
    db.session.flush()
    assert registry.register_status(IIN, "tb").is_registered
    assert not registry.register_status(IIN, "psychiatry").is_registered


def test_a_removed_register_entry_is_seen(registry):
    db.session.add(RegistryRegisterEntry(person=_row(IIN), register="narcology", since=date(2020, 7, 1)))
    db.session.commit()
    assert registry.register_status(IIN, "narcology").is_registered
    db.session.delete(db.session.scalars(select(RegistryRegisterEntry)).one())
    assert not registry.register_status(IIN, "narcology").is_registered


def test_a_person_added_after_a_failed_lookup_is_found(registry):
    with pytest.raises(NotFound):
        registry.find_person(LATER)
    local_registry.create_person(PersonRecord(iin=LATER, last_name="Омарова", first_name="Дана"))
    assert registry.find_person(LATER).last_name == "Омарова"


def test_a_changed_name_is_seen_within_the_transaction_and_the_next(registry):
    assert registry.find_person(IIN).last_name == "Жақсылықов"
    _row(IIN).last_name = "Жақсылық"
    assert registry.find_person(IIN).last_name == "Жақсылық"
    db.session.commit()
    assert registry.find_person(IIN).last_name == "Жақсылық"
