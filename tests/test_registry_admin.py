"""Admin pages of the local registry: access, search, people, CSV import and export, the connection check."""

from datetime import date

import pytest
from sqlalchemy import select

from app.core.iin import make_iin
from app.extensions import db
from app.models import AuditEntry, Clinic, RegistryPerson
from app.services import local_registry, registry_csv
from app.services.local_registry import PersonRecord
from tests.conftest import page_text

HERE = make_iin(date(1980, 5, 17), "F", serial=111)
OTHER = make_iin(date(1975, 1, 2), "M", serial=222)
NEW_1 = make_iin(date(1990, 2, 3), "M", serial=333)
NEW_2 = make_iin(date(2001, 7, 8), "F", serial=444)
NEW_3 = make_iin(date(1966, 11, 30), "M", serial=555)
BAD_CHECK_DIGIT = NEW_1[:11] + str((int(NEW_1[11]) + 1) % 10)

HEADER = "iin,last_name,first_name,middle_name,phone,clinic_code,district_number,attached_since,tb_since\n"


@pytest.fixture
def registry_people(app):
    db.session.add(Clinic(name_kk="№7 емхана", name_ru="Поликлиника №7", code="EMH-0007"))
    local_registry.create_person(
        PersonRecord(
            iin=HERE,
            last_name="Ахметова",
            first_name="Әсел",
            middle_name="Серікқызы",
            clinic_code="EMH-0007",
            clinic_name="№7 емхана",
            district_number=2,
            attached_since=date(2015, 4, 1),
            registers={"tb": date(2021, 2, 3)},
        )
    )
    local_registry.create_person(PersonRecord(iin=OTHER, last_name="Морозов", first_name="Андрей"))
    db.session.commit()


@pytest.fixture
def admin(login):
    return login("admin")


def audit_entries(action=None, object_type=None):
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    return db.session.scalars(query).all()


def upload(client, text: str, name: str = "people.csv", encoding: str = "utf-8"):
    from io import BytesIO

    return client.post(
        "/admin/registry/import",
        data={"file": (BytesIO(text.encode(encoding)), name)},
        content_type="multipart/form-data",
    )


def token_of(response) -> str:
    html = response.get_data(as_text=True)
    marker = 'action="/admin/registry/import/'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def count_people() -> int:
    db.session.expire_all()
    return len(db.session.scalars(select(RegistryPerson)).all())


# ---- access --------------------------------------------------------------------------------------------
ADMIN_PAGES = [
    ("get", "/admin/registry/"),
    ("get", "/admin/registry/?q=Ахметова"),
    ("get", "/admin/registry/connection"),
    ("post", "/admin/registry/connection"),
    ("get", f"/admin/registry/people/{HERE}"),
    ("get", f"/admin/registry/people/{HERE}/edit"),
    ("get", "/admin/registry/people/new"),
    ("get", "/admin/registry/import"),
    ("get", "/admin/registry/export.csv"),
]


@pytest.mark.parametrize(("method", "url"), ADMIN_PAGES)
@pytest.mark.parametrize("role", ["registrar", "doctor", "head"])
def test_only_admins_may_open_the_registry_pages(client, login, registry_people, method, url, role):
    login(role)
    assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize(("method", "url"), ADMIN_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, registry_people, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


@pytest.mark.parametrize(("method", "url"), ADMIN_PAGES)
def test_admins_open_every_registry_page(client, admin, registry_people, method, url):
    assert getattr(client, method)(url).status_code == 200


def test_every_registry_admin_route_declares_admin_only(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("registry_admin."):
            assert app.view_functions[rule.endpoint].allowed_roles == {"admin"}, rule.rule


# ---- the registry page and search ----------------------------------------------------------------------
def test_the_registry_page_shows_the_backend_and_loads_the_connection_check(client, admin, registry_people):
    response = client.get("/admin/registry/")
    html = response.get_data(as_text=True)
    assert 'hx-get="/admin/registry/connection"' in html
    assert 'hx-trigger="load"' in html
    assert "/admin/registry/export.csv" in html and "/admin/registry/import" in html


def test_search_by_iin_prefix_and_by_name_in_any_case(client, admin, registry_people):
    assert "Ахметова" in page_text(client.get(f"/admin/registry/?q={HERE[:6]}"))
    found = page_text(client.get("/admin/registry/?q=әсел ахметова"))
    assert "Ахметова Әсел Серікқызы" in found and "Морозов" not in found
    assert HERE in page_text(client.get(f"/admin/registry/?q={HERE[:4]} {HERE[4:8]}"))


def test_search_with_htmx_returns_only_the_results(client, admin, registry_people):
    response = client.get("/admin/registry/?q=Морозов", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert 'id="registry-results"' in html and "Морозов" in html
    assert "HX-Request" in response.headers["Vary"]


def test_a_search_that_finds_nobody_says_so_in_both_languages(client, admin, registry_people):
    kk = page_text(client.get("/admin/registry/?q=Жоқадам"))
    client.get("/lang/ru")
    ru = page_text(client.get("/admin/registry/?q=Жоқадам"))
    assert "Жоқадам" in kk and "Жоқадам" in ru
    assert kk != ru


def test_searches_and_views_are_audited(client, admin, registry_people):
    client.get("/admin/registry/?q=Морозов")
    client.get(f"/admin/registry/people/{HERE}")
    search = audit_entries("search", "registry_person")
    assert len(search) == 1 and "Морозов" in search[0].detail and search[0].staff_id == admin.id
    view = audit_entries("view", "registry_person")
    assert len(view) == 1 and HERE in view[0].detail


# ---- one person ----------------------------------------------------------------------------------------
def test_a_person_page_shows_identity_attachment_and_registers(client, admin, registry_people):
    text = page_text(client.get(f"/admin/registry/people/{HERE}"))
    assert "Ахметова Әсел Серікқызы" in text
    assert "EMH-0007" in text and "№7 емхана" in text
    assert "2021" in text  # on the TB register since 2021


def test_an_unknown_person_is_404(client, admin, registry_people):
    assert client.get(f"/admin/registry/people/{NEW_1}").status_code == 404


def test_adding_a_person(client, admin, registry_people):
    response = client.post(
        "/admin/registry/people/new",
        data={"iin": NEW_1, "last_name": "Тұрсынов", "first_name": "Ержан", "phone": "8 701 555 66 77"},
    )
    assert response.status_code == 303
    person = local_registry.find_person(NEW_1)
    assert (person.last_name, person.birth_date, person.sex, person.phone) == (
        "Тұрсынов",
        date(1990, 2, 3),
        "M",
        "+77015556677",
    )
    assert person.attachment is None and person.register_entries == []
    assert audit_entries("create", "registry_person")[0].object_id == str(person.id)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_bad_iin_is_explained_and_what_was_typed_is_kept(client, admin, registry_people, language):
    client.get(f"/lang/{language}")
    response = client.post(
        "/admin/registry/people/new",
        data={"iin": BAD_CHECK_DIGIT, "last_name": "Тұрсынов", "first_name": "Ержан"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="Тұрсынов"' in html and f'value="{BAD_CHECK_DIGIT}"' in html
    assert 'aria-invalid="true"' in html
    assert count_people() == 2


def test_a_duplicate_iin_is_refused(client, admin, registry_people):
    response = client.post(
        "/admin/registry/people/new", data={"iin": HERE, "last_name": "Басқа", "first_name": "Адам"}
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert local_registry.find_person(HERE).last_name == "Ахметова"


def test_editing_a_person_attachment_and_registers(client, admin, registry_people):
    form = client.get(f"/admin/registry/people/{OTHER}/edit").get_data(as_text=True)
    assert 'value="Морозов"' in form
    response = client.post(
        f"/admin/registry/people/{OTHER}/edit",
        data={
            "last_name": "Морозов",
            "first_name": "Андрей",
            "middle_name": "Петрович",
            "clinic_code": "EMH-0012",
            "clinic_name": "№12 емхана",
            "district_number": "5",
            "attached_since": "2020-01-15",
            "psychiatry_since": "2019-06-01",
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    person = local_registry.find_person(OTHER)
    assert person.middle_name == "Петрович"
    assert (person.attachment.clinic_code, person.attachment.district_number) == ("EMH-0012", 5)
    assert [(entry.register, entry.since) for entry in person.register_entries] == [
        ("psychiatry", date(2019, 6, 1))
    ]
    assert "Морозов андрей петрович".casefold() in person.name_key
    assert audit_entries("update", "registry_person")[0].object_id == str(person.id)

    # taking the person off every register and detaching them
    client.post(f"/admin/registry/people/{OTHER}/edit", data={"last_name": "Морозов", "first_name": "Андрей"})
    db.session.expire_all()
    person = local_registry.find_person(OTHER)
    assert person.attachment is None and person.register_entries == []


def test_a_district_without_a_clinic_code_changes_nothing(client, admin, registry_people):
    response = client.post(
        f"/admin/registry/people/{HERE}/edit",
        data={"last_name": "Жаңа", "first_name": "Әсел", "district_number": "3"},
    )
    assert response.status_code == 200
    assert 'value="Жаңа"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert local_registry.find_person(HERE).last_name == "Ахметова"


# ---- CSV import ----------------------------------------------------------------------------------------
def test_a_clean_file_is_previewed_then_imported_on_confirmation(client, admin, registry_people):
    csv_text = (
        HEADER
        + f"{NEW_1},Тұрсынов,Ержан,Асқарұлы,+77011112233,EMH-0007,3,2020-05-01,\n"
        + f"{NEW_2};Ли;Светлана;;;;;;2022-01-10\n".replace(";", ",")
        + f"{HERE},Ахметова,Әсел,Серікқызы,,EMH-0007,4,01.04.2015,\n"
    )
    preview = upload(client, csv_text)
    text = page_text(preview)
    assert preview.status_code == 200
    assert count_people() == 2  # nothing written by the preview
    assert "Тұрсынов" in text
    token = token_of(preview)

    response = client.post(f"/admin/registry/import/{token}", data={"action": "import_all"})
    assert response.status_code == 303
    assert count_people() == 4
    ersan = local_registry.find_person(NEW_1)
    assert (ersan.attachment.clinic_code, ersan.attachment.district_number) == ("EMH-0007", 3)
    assert local_registry.find_person(NEW_2).register_entry("tb").since == date(2022, 1, 10)
    updated = local_registry.find_person(HERE)
    assert updated.attachment.district_number == 4
    assert updated.register_entry("tb") is None  # an empty tb_since means "not on the TB register"
    entry = audit_entries("create", "registry_import")[0]
    assert "2 added, 1 updated" in entry.detail
    # the upload is used up
    assert client.post(f"/admin/registry/import/{token}", data={"action": "import_all"}).status_code == 303
    assert count_people() == 4


BAD_FILE = (
    HEADER
    + f"{NEW_1},Тұрсынов,Ержан,,,,,,\n"  # line 2: fine
    + f"{BAD_CHECK_DIGIT},Қате,Адам,,,,,,\n"  # line 3: invalid IIN
    + f"{NEW_2},Ли,Светлана,,,,,,2022-13-45\n"  # line 4: bad date
    + f"{NEW_3},Әбенов,Әли,,,,,,\n"  # line 5: duplicate of line 6
    + f"{NEW_3},Әбенов,Әли,,,,,,\n"  # line 6
)


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(client, admin, registry_people):
    preview = upload(client, BAD_FILE)
    html = preview.get_data(as_text=True)
    lines = [int(cell) for cell in _problem_lines(html)]
    assert lines == [3, 4, 5, 6]
    assert "2022-13-45" in html
    token = token_of(preview)
    assert 'value="import_all"' not in html

    refused = client.post(f"/admin/registry/import/{token}", data={"action": "import_all"})
    assert refused.status_code == 200
    assert 'class="notice notice--error"' in refused.get_data(as_text=True)
    assert count_people() == 2


def test_only_the_valid_rows_are_imported_when_the_admin_asks(client, admin, registry_people):
    token = token_of(upload(client, BAD_FILE))
    response = client.post(f"/admin/registry/import/{token}", data={"action": "import_valid"})
    assert response.status_code == 303
    assert count_people() == 3
    assert local_registry.find_person(NEW_1) is not None
    assert local_registry.find_person(NEW_3) is None  # both duplicate lines are left out
    assert "4 lines skipped" in audit_entries("create", "registry_import")[0].detail


def test_the_error_report_downloads_as_csv(client, admin, registry_people):
    token = token_of(upload(client, BAD_FILE))
    response = client.get(f"/admin/registry/import/{token}/problems.csv")
    assert response.mimetype == "text/csv"
    rows = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert rows[0] == "line,column,value,message"
    assert [row.split(",")[0] for row in rows[1:]] == ["3", "4", "5", "6"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "iin,surname,first_name\n1,2,3\n",
        "iin,first_name\n123,Ержан\n",
    ],
)
def test_an_unreadable_file_is_refused_whole(client, admin, registry_people, text):
    response = upload(client, text)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'action="/admin/registry/import/' not in html  # no way to confirm
    assert 'class="notice notice--error"' in html


def test_a_file_not_in_utf8_is_refused_with_advice(client, admin, registry_people):
    response = upload(client, HEADER + f"{NEW_1},Петров,Иван,,,,,,\n", encoding="cp1251")
    assert "UTF-8" in page_text(response)
    assert 'action="/admin/registry/import/' not in response.get_data(as_text=True)


def test_another_admins_upload_cannot_be_confirmed(client, admin, registry_people, make_staff):
    token = token_of(upload(client, HEADER + f"{NEW_1},Тұрсынов,Ержан,,,,,,\n"))
    client.post("/staff/logout")
    make_staff("admin2", roles=("admin",))
    client.post("/staff/login", data={"username": "admin2", "password": "correct-horse-battery"})
    response = client.post(f"/admin/registry/import/{token}", data={"action": "import_all"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/registry/import")
    assert count_people() == 2


def test_cancelling_an_import_changes_nothing(client, admin, registry_people):
    token = token_of(upload(client, HEADER + f"{NEW_1},Тұрсынов,Ержан,,,,,,\n"))
    assert client.post(f"/admin/registry/import/{token}", data={"action": "cancel"}).status_code == 303
    assert count_people() == 2


def test_columns_left_out_of_the_file_are_left_unchanged(app, registry_people):
    preview = registry_csv.read_csv(f"iin,last_name,first_name\n{HERE},Ахметова-Жаңа,Әсел\n".encode())
    assert (preview.new_count, preview.update_count) == (0, 1)
    registry_csv.apply_import(preview)
    person = local_registry.find_person(HERE)
    assert person.last_name == "Ахметова-Жаңа" and person.middle_name == "Серікқызы"
    assert person.attachment.clinic_code == "EMH-0007"
    assert person.register_entry("tb").since == date(2021, 2, 3)
    assert local_registry.search_people("жаңа").total == 1


def test_semicolons_bom_and_russian_dates_are_understood(app, registry_people):
    text = "\ufeffiin;last_name;first_name;birth_date;sex\n" + f"{NEW_2};Ли;Светлана;08.07.2001;Ж\n"
    preview = registry_csv.read_csv(text.encode())
    assert not preview.problems and preview.rows[0].record.iin == NEW_2


def test_birth_date_and_sex_must_agree_with_the_iin(app, registry_people):
    text = "iin,last_name,first_name,birth_date,sex\n" + f"{NEW_2},Ли,Светлана,2001-07-09,M\n"
    preview = registry_csv.read_csv(text.encode())
    assert [(problem.line, problem.column) for problem in preview.problems] == [(2, "birth_date"), (2, "sex")]


def test_control_and_bidi_characters_in_a_file_are_dropped_and_numbers_stay_in_range(app, registry_people):
    """Issue 13, item 3: "NUL and other control characters rejected or stripped, bidi controls removed from
    text that is printed"; "integers in range". A file from elsewhere is cleaned the same way as a form."""
    text = (
        "iin,last_name,first_name,address,clinic_code,district_number\n"
        f"{NEW_1},Пет\x00ров,\u202eИван\u202c,Абай\x1b 10,EMH-0007,2\n"
        f"{NEW_2},Ли,Светлана,,EMH-0007,2147483648\n"
        f"{NEW_3},Ким,Олег,,EMH-0007,99999999999999999999999\n"
    )
    preview = registry_csv.read_csv(text.encode())
    assert [(problem.line, problem.column) for problem in preview.problems] == [
        (3, "district_number"),
        (4, "district_number"),
    ]
    registry_csv.apply_import(preview, only_valid=True)
    person = local_registry.find_person(NEW_1)
    assert (person.last_name, person.first_name, person.address) == ("Петров", "Иван", "Абай 10")
    assert registry_csv.parse_date("01.01.0001") is None and registry_csv.parse_date("9999-12-31") is None


# ---- CSV export ----------------------------------------------------------------------------------------
def test_export_is_a_csv_the_import_reads_back_unchanged(client, admin, registry_people):
    response = client.get("/admin/registry/export.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffiin,last_name,first_name")
    assert HERE in text and "Ахметова" in text and "2021-02-03" in text
    assert audit_entries("view", "registry_export")

    preview = registry_csv.read_csv(text.encode())
    assert not preview.problems
    assert (preview.new_count, preview.update_count) == (0, 2)
    before = _snapshot()
    registry_csv.apply_import(preview)
    assert _snapshot() == before


def _snapshot():
    db.session.expire_all()
    return [
        (
            person.iin,
            person.full_name,
            person.phone,
            (person.attachment.clinic_code, person.attachment.district_number, person.attachment.since)
            if person.attachment
            else None,
            [(entry.register, entry.since) for entry in person.register_entries],
        )
        for person in db.session.scalars(select(RegistryPerson).order_by(RegistryPerson.iin))
    ]


# ---- connection check ----------------------------------------------------------------------------------
def test_check_connection_answers_with_a_fragment_for_htmx_and_is_audited(client, admin, registry_people):
    response = client.post("/admin/registry/connection", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="registry-connection"' in html
    assert "registry-status--ok" in html
    assert audit_entries("view", "registry_connection")[0].detail == "local ok"
    page = client.post("/admin/registry/connection")
    assert "<html" in page.get_data(as_text=True)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_registry_pages_are_translated(client, admin, registry_people, language):
    client.get(f"/lang/{language}")
    pages = [
        "/admin/registry/",
        "/admin/registry/connection",
        f"/admin/registry/people/{HERE}",
        f"/admin/registry/people/{HERE}/edit",
        "/admin/registry/import",
    ]
    english = ["Local registry", "Check connection", "Registers", "Attached since", "Check the file"]
    for url in pages:
        text = page_text(client.get(url))
        assert not [phrase for phrase in english if phrase in text], url


def _problem_lines(html: str) -> list[str]:
    import re

    table = html[html.index('class="import-problems"') :]
    table = table[: table.index("</table>")]
    return re.findall(r"<tr><td>(\d+)</td>", table)


# ---- demo data -----------------------------------------------------------------------------------------
def test_the_demo_registry_has_someone_for_every_outcome(app, demo_clinic):
    from app.demo import demo_patients
    from app.demo.registry import other_people, seed_registry
    from app.registries import get_registry
    from app.services.clinic import get_clinic

    registry, clinic = get_registry(), get_clinic()
    patients = demo_patients()
    assert clinic.code == "EMH-0007"
    for patient in patients:
        attachment = registry.attachment_of(patient["iin"])
        assert (attachment.clinic_code, attachment.district_number) == (
            clinic.code,
            patient["district_number"],
        )

    everyone = [person["iin"] for person in patients + other_people()]
    attachments = [registry.attachment_of(iin) for iin in everyone]
    assert any(a.is_attached and a.clinic_code != clinic.code for a in attachments)
    assert any(not a.is_attached for a in attachments)
    for register in ("tb", "psychiatry", "narcology"):
        assert sum(registry.register_status(iin, register).is_registered for iin in everyone) >= 2, register
    assert any(
        not any(
            registry.register_status(p["iin"], register).is_registered
            for register in ("tb", "psychiatry", "narcology")
        )
        for p in patients
    )
    assert seed_registry(clinic, patients) == 0  # idempotent
