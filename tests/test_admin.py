"""Admin pages: staff accounts, the clinic profile, districts, calendar exceptions, the audit log viewer,
and the staff start pages that show what the admin set up."""

import re
from datetime import date, time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, CalendarException, District, StaffMember
from app.services.calendar import get_calendar
from app.services.clinic import get_clinic
from app.services.staff_accounts import find_by_username
from tests.conftest import page_text

NEW_PASSWORD = "plane-tree-harbour-9"


@pytest.fixture(autouse=True)
def cheap_password_hashing(app):
    """Argon2id at a test cost: the demo clinic alone hashes nine passwords."""
    app.config["PASSWORD_HASH_PARAMETERS"] = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


@pytest.fixture
def admin(client, login, demo_clinic):
    """The demo clinic, and a signed-in administrator (not the demo one, whose password differs)."""
    return login("admin", username="boss")


def district(number: int) -> District:
    return db.session.scalars(select(District).where(District.number == number)).one()


def audit_entries(action=None, object_type=None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    return list(db.session.scalars(query))


def staff_form(**overrides) -> dict:
    form = {
        "username": "a.sadykova",
        "full_name": "Алия Сәдуақасқызы Садықова",
        "roles": ["doctor"],
        "speciality": "cardiologist",
        "district": "",
        "room": "214",
        "phone": "+7 727 300 00 14",
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
    }
    form.update(overrides)
    return form


def edit_form(staff: StaffMember, **overrides) -> dict:
    form = {
        "full_name": staff.full_name,
        "roles": sorted(staff.roles),
        "speciality": staff.speciality or "",
        "district": str(staff.district_id or ""),
        "room": staff.room,
        "phone": staff.phone,
    }
    form.update(overrides)
    return form


# ---- dashboard and list --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("kk", ["Әкімшілік", "Қызметкерлер", "Емхана профилі", "Учаскелер", "Күнтізбе", "Аудит журналы"]),
        (
            "ru",
            [
                "Администрирование",
                "Сотрудники",
                "Профиль поликлиники",
                "Участки",
                "Календарь",
                "Журнал аудита",
            ],
        ),
    ],
)
def test_dashboard_links_every_admin_page_in_both_languages(client, admin, language, words):
    client.get(f"/lang/{language}")
    response = client.get("/admin/")
    assert response.status_code == 200
    text = page_text(response)
    for word in words:
        assert word in text
    html = response.get_data(as_text=True)
    for path in ("/admin/staff", "/admin/clinic", "/admin/districts", "/admin/calendar", "/admin/audit"):
        assert f'href="{path}"' in html


def test_dashboard_links_the_admin_pages_of_other_parts_that_exist(app, client, admin):
    from app.blueprints.admin.views import MORE_ADMIN_PAGES

    html = client.get("/admin/").get_data(as_text=True)
    for page in MORE_ADMIN_PAGES:
        if page.endpoint in app.view_functions:
            with app.test_request_context():
                assert f'href="{app.url_for(page.endpoint)}"' in html


def test_staff_list_shows_roles_speciality_district_and_status(client, admin):
    find_by_username("registrar2").is_active_account = False
    db.session.commit()
    client.get("/lang/ru")
    text = page_text(client.get("/admin/staff"))
    assert "Асель Қайратқызы Жұмабаева" in text
    assert "Участковый терапевт" in text
    assert "Участок 1" in text
    assert "Деактивирована" in text  # registrar2


# ---- creating accounts ---------------------------------------------------------------------------


def test_admin_creates_a_doctor_who_can_then_sign_in(app, client, admin):
    response = client.post("/admin/staff/new", data=staff_form())
    assert response.status_code == 303
    created = find_by_username("a.sadykova")
    assert response.headers["Location"] == f"/admin/staff/{created.id}"
    assert created.roles == {"doctor"}
    assert created.speciality == "cardiologist"
    assert created.room == "214"
    assert created.password_hash.startswith("$argon2id$")
    entry = audit_entries("create", "staff")[-1]
    assert entry.staff_id == admin.id
    assert entry.object_id == str(created.id)
    assert NEW_PASSWORD not in entry.detail

    client.post("/staff/logout")
    signed_in = client.post("/staff/login", data={"username": "a.sadykova", "password": NEW_PASSWORD})
    assert signed_in.headers["Location"] == "/staff/doctor"
    assert "Кардиолог" in page_text(client.get("/staff/doctor"))


def test_a_district_doctor_gets_a_free_district_of_their_kind(client, admin):
    new = District(clinic=get_clinic(), number=6, kind="paediatric", territory="Гагарин даңғылы")
    db.session.add(new)
    db.session.commit()
    form = staff_form(username="paed2", speciality="paediatrician", district=str(new.id))
    assert client.post("/admin/staff/new", data=form).status_code == 303
    assert find_by_username("paed2").district.number == 6


@pytest.mark.parametrize(
    ("overrides", "kk_message"),
    [
        ({"username": "registrar"}, "Бұл пайдаланушы аты бос емес."),
        ({"username": "Айгүл"}, "латын әрпі"),
        ({"password": "short", "password_again": "short"}, "кемінде 10 таңба"),
        ({"password": "qwertyuiop", "password_again": "qwertyuiop"}, "тым оңай"),
        ({"password_again": "something-else-2"}, "Екі құпиясөз сәйкес емес."),
        ({"roles": []}, "Кем дегенде бір рөлді таңдаңыз."),
        ({"speciality": ""}, "Дәрігердің мамандығын таңдаңыз."),
        ({"roles": ["registrar"], "speciality": "therapist"}, "Мамандық пен учаске тек дәрігерлерге"),
        ({"speciality": "nurse"}, "Not a valid choice"),
    ],
    ids=[
        "taken-username",
        "cyrillic-username",
        "short-password",
        "common-password",
        "passwords-differ",
        "no-role",
        "doctor-without-speciality",
        "speciality-without-doctor",
        "unknown-speciality",
    ],
)
def test_a_bad_new_account_is_refused_with_a_message_and_nothing_is_created(
    client, admin, overrides, kk_message
):
    before = db.session.scalar(select(db.func.count(StaffMember.id)))
    form = staff_form(**overrides)
    response = client.post("/admin/staff/new", data=form)
    assert response.status_code == 422
    text = page_text(response)
    if kk_message != "Not a valid choice":
        assert kk_message in text
    html = response.get_data(as_text=True)
    assert f'value="{form["full_name"]}"' in html  # what was typed is kept
    assert db.session.scalar(select(db.func.count(StaffMember.id))) == before
    assert not audit_entries("create", "staff")


def test_a_district_is_served_by_one_doctor_of_the_matching_kind(client, admin):
    taken = staff_form(username="therapist9", speciality="therapist", district=str(district(1).id))
    response = client.post("/admin/staff/new", data=taken)
    assert response.status_code == 422
    assert "Асель Қайратқызы Жұмабаева" in page_text(response)  # who already serves it

    wrong_kind = staff_form(username="therapist9", speciality="therapist", district=str(district(4).id))
    assert "басқа түрдегі" in page_text(client.post("/admin/staff/new", data=wrong_kind))

    specialist = staff_form(username="cardio9", speciality="cardiologist", district=str(district(1).id))
    assert "тек учаскелік дәрігерлер" in page_text(client.post("/admin/staff/new", data=specialist))
    assert find_by_username("therapist9") is None and find_by_username("cardio9") is None


def test_the_new_account_form_is_in_russian_too(client, admin):
    client.get("/lang/ru")
    response = client.post("/admin/staff/new", data=staff_form(speciality=""))
    text = page_text(response)
    assert "Новая учётная запись" in text
    assert "Выберите специальность врача." in text


# ---- editing accounts ----------------------------------------------------------------------------


def test_admin_changes_roles_room_and_district_and_it_is_audited(client, admin):
    gp = find_by_username("gp")
    new = District(clinic=get_clinic(), number=8, kind="gp", territory="Жандосов көшесі")
    db.session.add(new)
    db.session.commit()
    form = edit_form(gp, roles=["doctor", "head"], room="305", district=str(new.id))
    response = client.post(f"/admin/staff/{gp.id}", data=form)
    assert response.status_code == 303
    db.session.expire_all()
    gp = find_by_username("gp")
    assert gp.roles == {"doctor", "head"}
    assert gp.room == "305"
    assert gp.district.number == 8
    entry = audit_entries("update", "staff")[-1]
    assert entry.object_id == str(gp.id)
    assert "roles: doctor -> doctor,head" in entry.detail
    assert "district: 5 -> 8" in entry.detail


def test_removing_the_doctor_role_needs_the_speciality_cleared(client, admin):
    therapist = find_by_username("therapist1")
    response = client.post(f"/admin/staff/{therapist.id}", data=edit_form(therapist, roles=["registrar"]))
    assert response.status_code == 422
    assert "Мамандық пен учаске тек дәрігерлерге" in page_text(response)
    form = edit_form(therapist, roles=["registrar"], speciality="", district="")
    assert client.post(f"/admin/staff/{therapist.id}", data=form).status_code == 303
    db.session.expire_all()
    assert find_by_username("therapist1").roles == {"registrar"}
    assert find_by_username("therapist1").district is None


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("kk", "Өзіңіздің әкімші рөліңізді алып тастай алмайсыз."),
        ("ru", "Нельзя снять роль администратора с самого себя."),
    ],
)
def test_an_admin_cannot_remove_their_own_admin_role(client, admin, language, message):
    client.get(f"/lang/{language}")
    response = client.post(f"/admin/staff/{admin.id}", data=edit_form(admin, roles=["registrar"]))
    assert response.status_code == 422
    assert message in page_text(response)
    db.session.expire_all()
    assert db.session.get(StaffMember, admin.id).roles == {"admin"}
    # Adding a role to oneself is fine.
    assert (
        client.post(f"/admin/staff/{admin.id}", data=edit_form(admin, roles=["admin", "head"])).status_code
        == 303
    )


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("kk", "Өз тіркелгіңізді өшіре алмайсыз."),
        ("ru", "Нельзя деактивировать собственную учётную запись."),
    ],
)
def test_an_admin_cannot_deactivate_themselves(client, admin, language, message):
    client.get(f"/lang/{language}")
    assert message in page_text(client.get(f"/admin/staff/{admin.id}"))  # said before trying
    response = client.post(f"/admin/staff/{admin.id}/active", data={"active": "0"})
    assert response.status_code == 422
    assert message in page_text(response)
    db.session.expire_all()
    assert db.session.get(StaffMember, admin.id).is_active
    assert client.get("/admin/").status_code == 200


def test_deactivating_ends_the_persons_access_and_activating_restores_it(app, client, admin):
    registrar = find_by_username("registrar")
    response = client.post(f"/admin/staff/{registrar.id}/active", data={"active": "0"})
    assert response.status_code == 303
    assert audit_entries("update", "staff")[-1].detail == "deactivated"

    other = app.test_client()
    refused = other.post("/staff/login", data={"username": "registrar", "password": "emhana-demo-2026"})
    assert refused.status_code == 200

    assert client.post(f"/admin/staff/{registrar.id}/active", data={"active": "1"}).status_code == 303
    accepted = other.post("/staff/login", data={"username": "registrar", "password": "emhana-demo-2026"})
    assert accepted.status_code == 302


def test_reactivating_a_doctor_whose_district_was_given_away_is_refused(client, admin):
    therapist = find_by_username("therapist3")
    client.post(f"/admin/staff/{therapist.id}/active", data={"active": "0"})
    replacement = staff_form(username="therapist3b", speciality="therapist", district=str(district(3).id))
    assert client.post("/admin/staff/new", data=replacement).status_code == 303
    response = client.post(f"/admin/staff/{therapist.id}/active", data={"active": "1"})
    assert response.status_code == 422
    db.session.expire_all()
    assert not find_by_username("therapist3").is_active


def test_admin_resets_a_password(app, client, admin):
    registrar = find_by_username("registrar")
    weak = client.post(
        f"/admin/staff/{registrar.id}/password",
        data={"new_password": "registrar-1", "new_password_again": "registrar-1"},
    )
    assert weak.status_code == 422
    assert "тым оңай" in page_text(weak)
    differ = client.post(
        f"/admin/staff/{registrar.id}/password",
        data={"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD + "x"},
    )
    assert differ.status_code == 422

    response = client.post(
        f"/admin/staff/{registrar.id}/password",
        data={"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert response.status_code == 303
    entry = audit_entries("update", "staff")[-1]
    assert entry.detail == "password reset by an administrator"
    assert NEW_PASSWORD not in entry.detail

    other = app.test_client()
    assert (
        other.post("/staff/login", data={"username": "registrar", "password": "emhana-demo-2026"}).status_code
        == 200
    )
    assert (
        other.post("/staff/login", data={"username": "registrar", "password": NEW_PASSWORD}).status_code
        == 302
    )


def test_admin_unlocks_a_locked_account(app, client, admin):
    other = app.test_client()
    for _attempt in range(app.config["LOGIN_MAX_FAILURES"]):
        other.post("/staff/login", data={"username": "registrar", "password": "wrong-wrong-wrong"})
    registrar = find_by_username("registrar")
    client.get("/lang/ru")
    assert "Заблокирована до" in page_text(client.get("/admin/staff"))
    page = page_text(client.get(f"/admin/staff/{registrar.id}"))
    assert "Разблокировать сейчас" in page

    assert client.post(f"/admin/staff/{registrar.id}/unlock").status_code == 303
    assert audit_entries("update", "staff")[-1].detail == "unlocked"
    response = other.post("/staff/login", data={"username": "registrar", "password": "emhana-demo-2026"})
    assert response.status_code == 302


def test_unknown_staff_member_is_404(client, admin):
    assert client.get("/admin/staff/99999").status_code == 404
    assert client.post("/admin/staff/99999/unlock").status_code == 404


# ---- clinic profile ------------------------------------------------------------------------------


def clinic_form(**overrides) -> dict:
    form = {
        "name_kk": "Алматы қаласының №7 қалалық емханасы",
        "name_ru": "Городская поликлиника №7 города Алматы",
        "code": "A-0007",
        "address_kk": "Алматы қ., Абай даңғылы, 120",
        "address_ru": "г. Алматы, проспект Абая, 120",
        "phones": "+7 727 300 00 07",
        "email": "info@emhana7.kz",
        "attached_population_norm": "30000",
    }
    for day in range(1, 6):
        form[f"hours_{day}_opens"] = "08:00"
        form[f"hours_{day}_closes"] = "20:00"
    form["hours_6_opens"] = "09:00"
    form["hours_6_closes"] = "14:00"
    form.update(overrides)
    return form


def test_the_clinic_form_shows_the_current_profile(client, admin):
    html = client.get("/admin/clinic").get_data(as_text=True)
    assert 'value="Алматы қаласының №7 қалалық емханасы"' in html
    assert 'name="hours_6_opens" type="time" value="09:00"' in html
    assert 'name="hours_7_opens" type="time" value=""' in html


def test_admin_edits_the_clinic_profile_and_hours_feed_the_calendar(client, admin):
    form = clinic_form(name_ru="Поликлиника №7", hours_6_opens="", hours_6_closes="", hours_1_closes="19:00")
    response = client.post("/admin/clinic", data=form)
    assert response.status_code == 303
    db.session.expire_all()
    clinic = get_clinic()
    assert clinic.name_ru == "Поликлиника №7"
    assert clinic.code == "A-0007"
    assert clinic.hours_on(1) == (time(8), time(19))
    assert clinic.hours_on(6) is None
    assert not get_calendar().is_working_day(date(2026, 11, 28))  # a Saturday: now closed
    entry = audit_entries("update", "clinic")[-1]
    assert "name_ru" in entry.detail and "working_hours" in entry.detail

    client.get("/lang/ru")
    assert "Поликлиника №7" in page_text(client.get("/"))


@pytest.mark.parametrize(
    ("overrides", "field", "kk_message"),
    [
        ({"hours_2_opens": "20:00", "hours_2_closes": "08:00"}, "hours_2_closes", "Жабылу уақыты"),
        ({"hours_3_closes": ""}, "hours_3_closes", "Екі уақытты да енгізіңіз"),
        (
            {f"hours_{d}_{edge}": "" for d in range(1, 8) for edge in ("opens", "closes")},
            "hours_1_opens",
            "кемінде бір күн",
        ),
        ({"name_ru": ""}, "name_ru", ""),
        ({"attached_population_norm": "0"}, "attached_population_norm", ""),
        ({"email": "not-an-address"}, "email", "info@clinic.kz"),
        ({"hours_4_opens": "25:99"}, "hours_4_opens", ""),
    ],
    ids=[
        "closes-before-opens",
        "one-time-missing",
        "never-open",
        "no-russian-name",
        "zero-norm",
        "bad-email",
        "bad-time",
    ],
)
def test_a_bad_clinic_profile_is_refused_and_nothing_changes(client, admin, overrides, field, kk_message):
    response = client.post("/admin/clinic", data=clinic_form(name_kk="Өзгерген атау", **overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert kk_message in page_text(response)
    assert 'value="Өзгерген атау"' in html  # what was typed is kept
    db.session.expire_all()
    assert get_clinic().name_kk == "Алматы қаласының №7 қалалық емханасы"


def test_the_clinic_form_in_russian_names_the_weekdays(client, admin):
    client.get("/lang/ru")
    text = page_text(client.get("/admin/clinic"))
    assert "Понедельник" in text and "Воскресенье" in text
    client.get("/lang/kk")
    text = page_text(client.get("/admin/clinic"))
    assert "Дүйсенбі" in text and "Жексенбі" in text


# ---- districts -----------------------------------------------------------------------------------


def test_districts_list_shows_the_assigned_doctor_and_load(client, admin):
    client.get("/lang/ru")
    text = page_text(client.get("/admin/districts"))
    assert "Участок 1" in text
    assert "Асель Қайратқызы Жұмабаева" in text
    assert "Терапевтический" in text and "Педиатрический" in text
    assert "Абай даңғылы" in text


def test_admin_adds_and_edits_a_district(client, admin):
    response = client.post(
        "/admin/districts/new",
        data={
            "number": "6",
            "kind": "therapeutic",
            "territory": "Гоголь көшесі\r\n\r\n  Төле би көшесі ",
            "population_norm": "2000",
        },
    )
    assert response.status_code == 303
    added = district(6)
    assert added.territory == "Гоголь көшесі\nТөле би көшесі"
    assert audit_entries("create", "district")[-1].object_id == str(added.id)
    assert "Дәрігер тағайындалмаған" in page_text(client.get("/admin/districts"))

    response = client.post(
        f"/admin/districts/{added.id}",
        data={"number": "6", "kind": "therapeutic", "territory": "Гоголь көшесі", "population_norm": "2100"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert district(6).population_norm == 2100
    assert "population_norm" in audit_entries("update", "district")[-1].detail


@pytest.mark.parametrize(
    ("data", "kk_message"),
    [
        ({"number": "1", "kind": "therapeutic", "population_norm": "2200"}, "1-учаске бұрыннан бар."),
        ({"number": "0", "kind": "therapeutic", "population_norm": "2200"}, ""),
        ({"number": "12", "kind": "dental", "population_norm": "2200"}, ""),
        ({"number": "12", "kind": "gp", "population_norm": "-5"}, ""),
        ({"number": "twelve", "kind": "gp", "population_norm": "1700"}, ""),
    ],
    ids=["taken-number", "zero-number", "unknown-kind", "negative-norm", "not-a-number"],
)
def test_a_bad_district_is_refused(client, admin, data, kk_message):
    count = len(db.session.scalars(select(District)).all())
    response = client.post("/admin/districts/new", data=data)
    assert response.status_code == 422
    assert kk_message in page_text(response)
    assert len(db.session.scalars(select(District)).all()) == count


def test_a_districts_kind_cannot_change_under_its_doctor(client, admin):
    paediatric = district(4)
    response = client.post(
        f"/admin/districts/{paediatric.id}",
        data={
            "number": "4",
            "kind": "therapeutic",
            "territory": paediatric.territory,
            "population_norm": "2200",
        },
    )
    assert response.status_code == 422
    assert "Мадина Асқарқызы Есенова" in page_text(response)
    db.session.expire_all()
    assert district(4).kind == "paediatric"


def test_a_district_page_names_its_doctor(client, admin):
    assert "Дмитрий Сергеевич Волков" in page_text(client.get(f"/admin/districts/{district(2).id}"))
    assert client.get("/admin/districts/99999").status_code == 404


# ---- calendar exceptions -------------------------------------------------------------------------


def test_calendar_page_lists_upcoming_public_holidays_in_both_languages(client, admin, frozen):
    frozen(2026, 11, 23, 10, 0)
    text = page_text(client.get("/admin/calendar"))
    assert "Тәуелсіздік күні" in text
    assert "Жаңа жыл" in text
    client.get("/lang/ru")
    text = page_text(client.get("/admin/calendar"))
    assert "День Независимости" in text
    assert "Наурыз мейрамы" in text


def test_admin_adds_a_working_saturday_and_an_extra_day_off_then_removes_one(client, admin, frozen):
    frozen(2026, 11, 23, 10, 0)
    saturday, friday = date(2026, 12, 19), date(2026, 12, 18)
    assert (
        client.post("/admin/calendar", data={"day": "2026-12-19", "kind": "day_off", "note": "x"}).status_code
        == 303
    )
    assert (
        client.post(
            "/admin/calendar", data={"day": "2026-12-18", "kind": "day_off", "note": "Қаулы №1"}
        ).status_code
        == 303
    )
    assert not get_calendar().is_working_day(friday)
    assert not get_calendar().is_working_day(saturday)

    sunday = "2026-12-20"
    assert (
        client.post("/admin/calendar", data={"day": sunday, "kind": "working", "note": ""}).status_code == 303
    )
    assert get_calendar().is_working_day(date(2026, 12, 20))
    entries = audit_entries("create", "calendar_exception")
    assert [entry.detail for entry in entries] == [
        "2026-12-19 day off",
        "2026-12-18 day off",
        "2026-12-20 working",
    ]

    text = page_text(client.get("/admin/calendar"))
    assert "Қаулы №1" in text

    exception = db.session.scalars(select(CalendarException).where(CalendarException.day == friday)).one()
    assert client.post(f"/admin/calendar/{exception.id}/delete").status_code == 303
    assert get_calendar().is_working_day(friday)
    assert audit_entries("delete", "calendar_exception")[-1].detail == "2026-12-18 day off"


@pytest.mark.parametrize(
    ("data", "kk_message"),
    [
        ({"day": "2026-11-20", "kind": "day_off"}, "өткен күндерді өзгертуге болмайды"),
        ({"day": "2026-11-24", "kind": "working"}, "Бұл күн онсыз да жұмыс күні."),
        ({"day": "2026-11-29", "kind": "day_off"}, "Бұл күн онсыз да демалыс күні."),
        ({"day": "2026-12-16", "kind": "day_off"}, "Бұл күн онсыз да демалыс күні."),
        ({"day": "", "kind": "day_off"}, ""),
        ({"day": "2026-12-01", "kind": ""}, ""),
    ],
    ids=["past", "already-working", "already-off-sunday", "already-off-holiday", "no-day", "no-kind"],
)
def test_a_pointless_or_past_exception_is_refused(client, admin, frozen, data, kk_message):
    frozen(2026, 11, 23, 10, 0)
    response = client.post("/admin/calendar", data={"note": "", **data})
    assert response.status_code == 422
    assert kk_message in page_text(response)
    assert not db.session.scalars(select(CalendarException)).all()


def test_a_day_has_one_exception_and_past_ones_stay(client, admin, frozen):
    frozen(2026, 11, 23, 10, 0)
    client.post("/admin/calendar", data={"day": "2026-12-01", "kind": "day_off", "note": ""})
    again = client.post("/admin/calendar", data={"day": "2026-12-01", "kind": "working", "note": ""})
    assert again.status_code == 422
    assert "Алдымен оны алып тастаңыз" in page_text(again)

    past = CalendarException(day=date(2026, 11, 2), is_working=False, note="санитарлық күн")
    db.session.add(past)
    db.session.commit()
    assert "санитарлық күн" in page_text(client.get("/admin/calendar"))  # listed under past changes
    response = client.post(f"/admin/calendar/{past.id}/delete")
    assert response.status_code == 422
    assert "Өткен күндерді өзгертуге болмайды." in page_text(response)
    assert len(db.session.scalars(select(CalendarException)).all()) == 2
    assert client.post("/admin/calendar/99999/delete").status_code == 404


# ---- audit log viewer ----------------------------------------------------------------------------


def test_the_audit_log_is_newest_first_and_filters_by_staff_action_patient_and_dates(client, admin, frozen):
    from app.services import audit

    registrar = find_by_username("registrar")
    frozen(2026, 11, 20, 23, 30)  # late evening in Almaty, still the 20th locally
    audit.record(staff_id=registrar.id, action="view", object_type="patient", object_id=7, patient_id=7)
    frozen(2026, 11, 21, 9, 0)
    audit.record(staff_id=registrar.id, action="print", object_type="document", object_id=3, patient_id=7)
    audit.record(staff_id=admin.id, action="update", object_type="district", object_id=1)
    db.session.commit()

    def rows(**query):
        response = client.get("/admin/audit", query_string=query)
        return response.get_data(as_text=True).count('class="audit-detail"'), page_text(response)

    count, text = rows(staff=registrar.id)
    assert count == 2
    table = text[text.index("Қайдан") :]  # after the table's header, past the filter's option labels
    assert table.index("Басып шығарды") < table.index("Қарады")  # newest first
    assert rows(action="print")[0] == 1
    assert rows(patient=7)[0] == 2
    assert rows(date_from="2026-11-20", date_to="2026-11-20")[0] == 1
    assert rows(date_from="2026-11-21", staff=registrar.id)[0] == 1

    response = client.get("/admin/audit", query_string={"date_from": "2026-11-22", "date_to": "2026-11-01"})
    assert response.status_code == 200
    assert "Кезеңнің соңы басынан бұрын" in page_text(response)


def test_reading_the_audit_log_is_itself_audited(client, admin):
    client.get("/admin/audit", query_string={"patient": "12"})
    entry = audit_entries("view", "audit_log")[-1]
    assert entry.staff_id == admin.id
    assert entry.patient_id == 12
    assert "patient_id=12" in entry.detail


def test_the_audit_log_pages_through_many_entries(client, admin):
    from app.services import audit

    for number in range(75):
        audit.record(staff_id=admin.id, action="view", object_type="patient", object_id=number, patient_id=5)
    db.session.commit()
    first = client.get("/admin/audit", query_string={"patient": 5}).get_data(as_text=True)
    assert "№ 74" in first and "№ 24" not in first
    older_link = re.search(r'href="(/admin/audit\?[^"]*before_at[^"]*)"', first).group(1)
    older_link = older_link.replace("&amp;", "&")
    assert "patient=5" in older_link and "after_at" not in older_link  # the filter goes with the link
    second = client.get(older_link).get_data(as_text=True)
    assert "№ 24" in second and "№ 0" in second and "№ 74" not in second and "№ 25" not in second
    assert not re.search(r'href="/admin/audit\?[^"]*before_at', second)  # the oldest page: no older link
    newer_link = re.search(r'href="(/admin/audit\?[^"]*after_at[^"]*)"', second).group(1)
    newer_link = newer_link.replace("&amp;", "&")
    assert "patient=5" in newer_link
    back = client.get(newer_link).get_data(as_text=True)
    assert "№ 74" in back and "№ 25" in back and "№ 24" not in back
    # Another patient's entries are not on the pages of patient 5.
    audit.record(staff_id=admin.id, action="view", object_type="patient", object_id=999, patient_id=6)
    db.session.commit()
    assert "№ 999" not in client.get(older_link).get_data(as_text=True)
    # An old page-number link is ignored: the newest page.
    assert "№ 74" in client.get("/admin/audit", query_string={"page": "999"}).get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        {"before_at": "garbage", "before_id": "3"},
        {"before_at": "2026-11-25T10:00:00", "before_id": "-3"},
        {"after_at": "2026-11-25T10:00:00", "after_id": "99999999999999999999"},
        {"after_at": "9999-12-31T23:59:59", "after_id": "7"},
        {"before_at": "0001-01-01T00:00:00+05:00", "before_id": "7"},
    ],
    ids=["garbage", "negative", "huge", "future", "overflow"],
)
def test_a_bad_page_link_shows_the_newest_entries(client, admin, query):
    from app.services import audit

    audit.record(staff_id=admin.id, action="view", object_type="patient", object_id=41, patient_id=5)
    db.session.commit()
    response = client.get("/admin/audit", query_string=query)
    assert response.status_code == 200
    text = page_text(response)
    assert "№ 41" in text
    if query.get("after_at", "").startswith("9999"):
        return  # a link to entries newer than a time to come is not wrong, only empty: the newest page
    assert "Бет сілтемесі жарамсыз: ең соңғы жазбалар көрсетілді." in text
    client.get("/lang/ru")
    assert "Ссылка на страницу недействительна: показаны последние записи." in page_text(
        client.get("/admin/audit", query_string=query)
    )


def test_the_audit_filter_answers_htmx_with_the_fragment_only(client, admin):
    page = client.get("/admin/audit")
    fragment = client.get("/admin/audit", headers={"HX-Request": "true"})
    assert "HX-Request" in page.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]
    assert "<html" in page.get_data(as_text=True)
    html = fragment.get_data(as_text=True)
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="audit-log">')
    assert 'hx-get="/admin/audit"' in page.get_data(as_text=True)


# ---- the staff start pages -----------------------------------------------------------------------


def test_registrar_start_shows_today_tools_and_who_serves_each_street(client, login, demo_clinic, frozen):
    frozen(2026, 11, 23, 10, 0)  # a Monday
    login("registrar", username="desk-start")
    client.get("/lang/ru")
    response = client.get("/staff/registrar")
    text = page_text(response)
    assert "08:00–20:00" in text
    assert "18:00" in text  # same-day home calls close two hours before closing
    assert "День Независимости" in text  # the next public holiday
    assert "Сейфуллин даңғылы" in text and "Дмитрий Сергеевич Волков" in text
    assert 'href="/services"' in response.get_data(as_text=True)


def test_registrar_start_on_a_holiday_says_the_clinic_is_closed(client, login, demo_clinic, frozen):
    frozen(2026, 12, 16, 10, 0)
    login("registrar", username="desk-start")
    text = page_text(client.get("/staff/registrar"))
    assert "Бүгін емхана жабық." in text


def test_doctor_start_shows_their_district(client, demo_clinic):
    client.post("/staff/login", data={"username": "paediatrician", "password": "emhana-demo-2026"})
    text = page_text(client.get("/staff/doctor"))
    assert "Мадина Асқарқызы Есенова" in text
    assert "Учаскелік педиатр" in text
    assert "Сіздің учаскеңіз: 4" in text
    assert "Сәтбаев көшесі" in text


def test_a_specialist_without_a_district_is_told_so(client, login, demo_clinic):
    login("doctor", username="cardio-start")
    assert "Сізде учаске жоқ" in page_text(client.get("/staff/doctor"))


def test_head_start_shows_district_load_and_missing_doctors(client, login, demo_clinic):
    db.session.add(District(clinic=get_clinic(), number=9, kind="therapeutic", population_norm=2200))
    db.session.commit()
    login("head", username="head-start")
    client.get("/lang/ru")
    text = page_text(client.get("/staff/head"))
    assert "Асель Қайратқызы Жұмабаева" in text
    assert "Врач не назначен" in text
    assert "Регистратура" in text


def test_registrar_start_without_a_clinic_still_opens(client, login):
    login("registrar")
    assert client.get("/staff/registrar").status_code == 200
