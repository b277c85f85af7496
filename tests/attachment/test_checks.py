"""The checks of an application: the grounds of refusal, the norms, the preferred doctor, the district
proposed from the address."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.core.actors import Actor
from app.core.clock import local_now
from app.extensions import db
from app.models import ServiceRequest, StaffMember
from app.registries import get_registry
from app.services import attachment as attachment_service
from tests.attachment.factories import (
    CLINIC_CODE,
    OTHER_CODE,
    OTHER_NAME,
    application_of,
    apply_online,
    count,
    last_sms,
    new_person,
    pdf_text,
    staff_client,
)
from tests.conftest import page_text


# ---- the grounds -----------------------------------------------------------------------------------------
def test_a_second_free_choice_within_the_year_is_refused_with_the_ground_named(
    app, client, clinic, make_staff
):
    three_months_ago = local_now().date() - timedelta(days=90)
    person = new_person(
        serial=102, clinic_code=OTHER_CODE, clinic_name=OTHER_NAME, last_free_choice_on=three_months_ago
    )
    number = apply_online(client, person.iin).headers["Location"].rsplit("/", 1)[-1]
    application = application_of(person.iin)
    assert attachment_service.assess(application).grounds == ["free_choice_once_a_year"]

    desk = staff_client(app, make_staff, "registrar")
    detail = page_text(desk.get(f"/staff/attachment/{number}"))
    assert "МСАК ұйымын еркін таңдау кезінде жылына бір реттен жиі тіркелу" in detail
    blocked = desk.post(
        f"/staff/attachment/{number}/approve",
        data={"district_id": clinic["districts"][1].id},
        follow_redirects=True,
    )
    assert "мақұлдау мүмкін емес" in page_text(blocked)
    assert get_registry().attachment_of(person.iin).clinic_code == OTHER_CODE  # nothing changed

    desk.post(f"/staff/attachment/{number}/refuse", data={"ground": "free_choice_once_a_year"})
    application = application_of(person.iin)
    assert application.request.status == "refused"
    assert application.request.refusal_ground == "free_choice_once_a_year"
    status = page_text(client.get(f"/attachment/{number}"))
    assert "МСАК ұйымын еркін таңдау кезінде жылына бір реттен жиі тіркелу" in status
    refusal = pdf_text(client.get(f"/attachment/{number}/document").data)
    assert "еркін таңдау кезінде жылына бір реттен жиі тіркелу" in refusal
    assert (three_months_ago + timedelta(days=365)).strftime("%d.%m") in refusal  # when it becomes possible
    assert "бас тартылды" in last_sms().text


def test_a_change_of_residence_is_not_held_to_the_once_a_year_rule(app, clinic):
    person = new_person(
        serial=103, clinic_code=OTHER_CODE, last_free_choice_on=local_now().date() - timedelta(days=30)
    )
    application = attachment_service.submit_application(
        attachment_service.ApplicationInput(
            iin=person.iin, address="Алматы, Абай даңғылы 20", reason="residence"
        ),
        actor=Actor.patient(),
        channel="web",
    )
    assert attachment_service.assess(application).grounds == []


def test_the_norm_refusal_shows_when_the_clinic_norm_is_reached(app, client, clinic, make_staff):
    clinic["clinic"].attached_population_norm = 1  # the one patient already attached fills it
    db.session.commit()
    person = new_person(serial=104)
    number = apply_online(client, person.iin, reason="residence").headers["Location"].rsplit("/", 1)[-1]
    desk = staff_client(app, make_staff, "registrar")
    detail = page_text(desk.get(f"/staff/attachment/{number}"))
    assert "МСАК ұйымына бекітілген халық санының нормативтерінен асып кетуі" in detail
    blocked = desk.post(
        f"/staff/attachment/{number}/approve",
        data={"district_id": clinic["districts"][2].id},
        follow_redirects=True,
    )
    assert "мақұлдау мүмкін емес" in page_text(blocked)
    desk.post(f"/staff/attachment/{number}/refuse", data={"ground": "population_norm_exceeded"})
    assert application_of(person.iin).request.refusal_ground == "population_norm_exceeded"
    population = page_text(desk.get("/staff/attachment/population"))
    assert "Норматив толды" in population


def test_a_full_district_blocks_approval_into_it_but_another_district_is_fine(app, clinic, make_staff):
    clinic["districts"][1].population_norm = 1
    db.session.commit()
    person = new_person(serial=105)
    application = attachment_service.submit_application(
        attachment_service.ApplicationInput(
            iin=person.iin, address="Алматы, Абай даңғылы 20", reason="residence"
        ),
        actor=Actor.patient(),
        channel="web",
    )
    assert application.proposed_district.number == 1
    assert "district_full" in attachment_service.assess(application).warnings
    registrar = make_staff("reg", roles=("registrar",))
    with pytest.raises(attachment_service.DecisionBlocked) as blocked:
        attachment_service.approve(
            application, district=clinic["districts"][1], actor=Actor.of_staff(registrar)
        )
    assert blocked.value.ground == "population_norm_exceeded"
    attachment_service.approve(application, district=clinic["districts"][2], actor=Actor.of_staff(registrar))
    assert get_registry().attachment_of(person.iin).district_number == 2


def test_attached_elsewhere_is_detached_from_the_old_clinic_on_approval(app, client, clinic, make_staff):
    person = new_person(serial=106, clinic_code=OTHER_CODE, clinic_name=OTHER_NAME, district_number=3)
    number = apply_online(client, person.iin, reason="residence").headers["Location"].rsplit("/", 1)[-1]
    application = application_of(person.iin)
    assert application.previous_clinic_code == OTHER_CODE
    assert attachment_service.assess(application).grounds == []
    desk = staff_client(app, make_staff, "registrar")
    assert OTHER_NAME in page_text(desk.get(f"/staff/attachment/{number}"))
    desk.post(f"/staff/attachment/{number}/approve", data={"district_id": clinic["districts"][1].id})

    attachment = get_registry().attachment_of(person.iin)
    assert attachment.clinic_code == CLINIC_CODE  # and so no longer attached to the old clinic
    application = application_of(person.iin)
    assert "detached_from_previous" in [event.step for event in application.request.events]
    assert OTHER_NAME in pdf_text(client.get(f"/attachment/{number}/document").data)
    recent = page_text(desk.get("/staff/attachment/population"))
    assert number in recent and OTHER_NAME in recent


def test_attached_elsewhere_for_no_recognised_reason_meets_the_more_than_one_clinic_ground(app, clinic):
    person = new_person(serial=107, clinic_code=OTHER_CODE, clinic_name=OTHER_NAME)
    application = attachment_service.submit_application(
        attachment_service.ApplicationInput(
            iin=person.iin,
            address="Алматы, Абай даңғылы 20",
            reason="other",
            reason_note="жұмыс орнына жақын",
        ),
        actor=Actor.patient(),
        channel="web",
    )
    assert attachment_service.assess(application).grounds == ["attached_elsewhere"]


def test_the_preferred_doctors_district_is_the_default_of_the_decision(app, clinic, make_staff):
    doctor = db.session.scalars(select(StaffMember).where(StaffMember.username == "therapist2")).one()
    person = new_person(serial=108)
    application = attachment_service.submit_application(
        attachment_service.ApplicationInput(
            iin=person.iin,
            address="Алматы, Абай даңғылы 20",
            reason="residence",
            preferred_doctor_id=doctor.id,
        ),
        actor=Actor.patient(),
        channel="web",
    )
    assert application.proposed_district.number == 1  # from the address
    assert attachment_service.default_district(application).number == 2  # the doctor the person chose
    registrar = make_staff("reg", roles=("registrar",))
    attachment_service.approve(application, district=None, actor=Actor.of_staff(registrar))
    assert get_registry().attachment_of(person.iin).district_number == 2


def test_a_doctor_who_does_not_serve_a_district_cannot_be_chosen(app, clinic, make_staff):
    person = new_person(serial=109)
    outsider = make_staff("cardiologist", roles=("doctor",), speciality="cardiologist")
    with pytest.raises(attachment_service.InvalidApplication) as invalid:
        attachment_service.submit_application(
            attachment_service.ApplicationInput(
                iin=person.iin, address="Алматы, Абай 1", reason="residence", preferred_doctor_id=outsider.id
            ),
            actor=Actor.patient(),
            channel="web",
        )
    assert invalid.value.field == "preferred_doctor_id"
    assert count(ServiceRequest) == 0


# ---- the district from the address -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("address", "birth", "expected"),
    [
        ("Алматы қ., Абай даңғылы, 15, 3", date(1990, 1, 1), 1),
        ("г. Алматы, проспект Абая, 15, кв. 3", date(1990, 1, 1), 1),  # Russian form of the street
        ("Алматы қ., Абай даңғылы, 15, 3", date(2018, 1, 1), 4),  # a child: the paediatric district
        ("Алматы, ул. Толе би, 40", date(1990, 1, 1), 2),  # without Kazakh letters
        ("Алматы, Достық даңғылы, 50", date(1990, 1, 1), 1),  # inside the house range 1-99
        ("Алматы, Достық даңғылы, 150", date(1990, 1, 1), None),  # outside it
        ("Алматы, Сатпаева, 10", date(1990, 1, 1), None),  # not the clinic's territory
    ],
)
def test_the_district_is_proposed_from_the_address_and_age(app, clinic, address, birth, expected):
    district = attachment_service.propose_district(address, birth, today=date(2026, 6, 1))
    assert (district.number if district else None) == expected
