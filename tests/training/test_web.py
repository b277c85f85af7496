"""The training centre's pages: the admin's switch, the module off (404, no menu), roles, the flow through
the desk, bad input (a clear message, nothing changed, nothing typed lost), the PDFs and the CSV."""

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.core.actors import Actor
from app.extensions import db
from app.models import TrainingDocument
from app.services import training
from app.services.training import operations as training_operations
from tests.conftest import page_text
from tests.factories import make_patient
from tests.feedback_factories import last_code
from tests.training.factories import (
    decide,
    iin,
    make_clinic,
    make_cohort,
    make_ready,
    make_signers,
    switch_on,
)


def pdf_text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)


def count_documents() -> int:
    return db.session.scalar(select(func.count(TrainingDocument.id)))


@pytest.fixture
def signers(app, make_staff):
    make_clinic()
    return make_signers(make_staff)


@pytest.fixture
def centre(signers):
    switch_on()
    return signers


def test_switched_off_the_pages_say_so_and_the_menu_hides_it(client, login, signers):
    login("methodologist")
    response = client.get("/staff/training/")
    assert response.status_code == 404
    assert "Оқу орталығы өшірулі" in page_text(response)
    menu = client.get("/staff/training/courses").get_data(as_text=True).split("<main")[0]
    assert 'href="/staff/training/"' not in menu
    passport = client.get("/services/training-documents")
    assert "сізді оқытқан медициналық колледж береді" in page_text(passport)


def test_the_admin_switches_it_on_in_the_clinic_settings(client, login, signers):
    login("admin")
    assert "Оқу орталығының баптаулары" in page_text(client.get("/admin/clinic"))
    response = client.post("/staff/training/settings", data={"is_enabled": "y", "duplicate_price": "5000"})
    assert response.status_code == 303
    assert training.is_enabled() and training.settings().duplicate_price == 5000
    assert "Оқу орталығы (14-қызмет): қосулы" in page_text(client.get("/admin/clinic"))


def test_the_settings_refuse_a_negative_price_and_keep_the_form(client, login, signers):
    login("admin")
    response = client.post("/staff/training/settings", data={"is_enabled": "y", "duplicate_price": "-5"})
    assert response.status_code == 422
    assert 'value="-5"' in response.get_data(as_text=True)
    assert not training.is_enabled()


def test_roles(client, login, centre):
    login("registrar")
    assert client.get("/staff/training/").status_code == 403
    assert client.get("/staff/training/settings").status_code == 403


def test_the_menu_shows_the_centre_once_on(client, login, centre):
    login("methodologist")
    assert 'href="/staff/training/"' in client.get("/staff/training/courses").get_data(as_text=True)


def test_a_course_cohort_trainee_and_decision_through_the_desk(client, login, centre):
    login("methodologist")
    assert (
        client.post(
            "/staff/training/courses",
            data={"programme": "Сестринское дело", "kind": "retraining", "hours": "216"},
        ).status_code
        == 303
    )
    (course,) = training.courses()
    response = client.post(
        f"/staff/training/courses/{course.id}/cohorts",
        data={"code": "A-1", "starts_on": "2026-09-01", "ends_on": "2026-10-30"},
    )
    cohort_url = response.headers["Location"]
    cohort_id = int(cohort_url.rsplit("/", 1)[1])
    for serial, name in ((3001, "Ахметова Айгерім"), (3012, "Петрова Елена")):
        assert (
            client.post(
                f"/staff/training/cohorts/{cohort_id}/trainees",
                data={"staff": "", "full_name": name, "iin": iin(serial), "workplace": "ГП №7"},
            ).status_code
            == 303
        )
    bad = client.post(
        f"/staff/training/cohorts/{cohort_id}/trainees",
        data={"staff": "", "full_name": "Ким Ольга", "iin": "123456789012", "workplace": "ГП №7"},
    )
    assert bad.status_code == 422 and "Дұрыс 12 таңбалы ЖСН енгізіңіз." in page_text(bad)
    assert 'value="Ким Ольга"' in bad.get_data(as_text=True)

    cohort = training.get_cohort(cohort_id)
    first = cohort.trainees[0]
    nobody = client.post(
        f"/staff/training/cohorts/{cohort_id}/decisions", data={"number": "7", "decided_on": "2026-11-20"}
    )
    assert nobody.status_code == 422 and "аттестаттаудан өткен білім алушыларды белгілеңіз" in page_text(
        nobody
    )
    assert 'value="7"' in nobody.get_data(as_text=True)
    response = client.post(
        f"/staff/training/cohorts/{cohort_id}/decisions",
        data={"number": "7", "decided_on": "2026-11-20", "passed": [str(first.id)]},
    )
    assert response.status_code == 303
    assert count_documents() == 1
    worklist = page_text(client.get("/staff/training/"))
    assert first.full_name in worklist and "Мерзімі өтпеген (1)" in worklist
    fragment = client.get("/staff/training/", headers={"HX-Request": "true"})
    assert fragment.get_data(as_text=True).lstrip().startswith('<div id="training-worklist"')


def test_a_reused_blank_is_refused_with_what_was_typed_kept(client, login, centre):
    first, second, _third = decide(make_cohort())
    make_ready(first, centre, series="KZ", number="0000100")
    login("methodologist")
    response = client.post(
        f"/staff/training/documents/{second.id}/prepare",
        data={"blank_series": "KZ", "blank_number": "0000100", "signed_by": centre["head"].id, "sealed": "y"},
    )
    assert response.status_code == 422
    assert "Бұл бланкіге (сериясы мен нөмірі) құжат бұрын басылған" in page_text(response)
    assert 'value="0000100"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert training.get_document(second.id).ready_at is None


def test_two_desks_taking_one_blank_at_once_get_a_message_not_a_500(client, login, centre, monkeypatch):
    first, second, _third = decide(make_cohort())
    make_ready(first, centre, series="KZ", number="0000200")
    db.session.commit()
    monkeypatch.setattr(training_operations, "blank_in_use", lambda series, number: False)  # checked free
    login("methodologist")
    response = client.post(
        f"/staff/training/documents/{second.id}/prepare",
        data={"blank_series": "KZ", "blank_number": "0000200", "signed_by": centre["head"].id, "sealed": "y"},
    )
    assert response.status_code == 422
    assert "Бұл бланкіге (сериясы мен нөмірі) құжат бұрын басылған" in page_text(response)
    assert 'value="0000200"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert training.get_document(second.id).ready_at is None


def test_a_duplicate_without_payment_is_refused_nothing_changed_nothing_lost(client, login, centre):
    (original,) = decide(make_cohort(trainees=1))
    make_ready(original, centre)
    login("methodologist")
    client.get("/lang/ru")
    response = client.post(
        f"/staff/training/documents/{original.id}/duplicates",
        data={
            "applied_on": "2026-11-24",
            "loss_circumstances": "Утерян при переезде",
            "notice_title": "Вечерний Алматы",
            "notice_number": "131",
            "notice_date": "2026-11-10",
        },
    )
    assert response.status_code == 422
    assert "Дубликат выдаётся платно: укажите платёжный документ, сумму и дату оплаты." in page_text(response)
    html = response.get_data(as_text=True)
    assert "Вечерний Алматы" in html and "Утерян при переезде" in html
    assert count_documents() == 1


def test_from_the_duplicate_application_to_its_pdf_with_the_stamp(client, login, centre, frozen):
    (original,) = decide(make_cohort(trainees=1))
    make_ready(original, centre, series="KZ", number="0000777")
    login("methodologist", username="method2")
    response = client.post(
        f"/staff/training/documents/{original.id}/duplicates",
        data={
            "applied_on": "2026-11-24",
            "loss_circumstances": "Утерян при переезде",
            "notice_title": "Вечерний Алматы",
            "notice_number": "131",
            "notice_date": "2026-11-10",
            "payment_document": "Квитанция 5521",
            "payment_amount": "5000",
            "payment_date": "2026-11-23",
        },
    )
    assert response.status_code == 303
    duplicate_id = int(response.headers["Location"].rsplit("/", 1)[1])
    # The methodologist cannot approve: that is the head's decision.
    assert client.post(f"/staff/training/documents/{duplicate_id}/approve").status_code == 403
    client.post("/staff/logout")
    login("head", username="head2")
    assert client.post(f"/staff/training/documents/{duplicate_id}/approve").status_code == 303
    client.post("/staff/logout")
    login("methodologist", username="method3")
    response = client.post(
        f"/staff/training/documents/{duplicate_id}/prepare",
        data={
            "blank_series": "KZ",
            "blank_number": "0000901",
            "signed_by": centre["head"].id,
            "deputy_signed_by": centre["deputy"].id,
            "sealed": "y",
        },
    )
    assert response.status_code == 303, page_text(response)
    pdf = client.get(f"/staff/training/documents/{duplicate_id}/pdf")
    assert pdf.headers["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.data)
    assert "Дубликат взамен подлинника № KZ 0000777" in text
    assert "СВИДЕТЕЛЬСТВО О ПОВЫШЕНИИ КВАЛИФИКАЦИИ" in text
    assert "Заместитель по учебной работе" in text and centre["deputy"].full_name in text
    assert original.full_name in text and "KZ № 0000901" in text


def test_bilingual_documents_carry_kazakh_labels(client, login, signers):
    switch_on(bilingual=True)
    (document,) = decide(make_cohort(trainees=1))
    make_ready(document, signers)
    text = pdf_text(document.document.pdf)
    assert "Настоящий документ выдан / Осы құжат берілді" in text


def test_the_journal_page_pdf_and_csv(client, login, centre):
    (document,) = decide(make_cohort(trainees=1))
    make_ready(document, centre, series="KZ", number="0000555")
    training.hand_over(
        document,
        received_by="self",
        proxy_name="",
        power_of_attorney="",
        journal_signed=True,
        actor=Actor.system(),
    )
    db.session.commit()
    login("head")
    client.get("/lang/ru")
    page = page_text(client.get("/staff/training/journal"))
    assert "KZ 0000555" in page and document.full_name in page
    pdf = client.get("/staff/training/journal.pdf")
    assert "KZ 0000555" in pdf_text(pdf.data)
    csv_response = client.get("/staff/training/journal.csv?sep=semicolon")
    body = csv_response.get_data(as_text=True)
    assert csv_response.headers["Cache-Control"] == "no-store"
    assert body.startswith("\ufeff") and ";KZ 0000555;" in body
    assert ",KZ 0000555," in client.get("/staff/training/journal.csv").get_data(as_text=True)


def test_a_document_for_someone_who_did_not_pass_cannot_be_prepared(client, login, centre):
    cohort = make_cohort(trainees=2)
    decide(cohort, cohort.trainees[:1])
    login("methodologist")
    page = page_text(client.get(f"/staff/training/cohorts/{cohort.id}"))
    assert "Өтті: 04.11.2026 күнгі №12 шешім" in page
    assert count_documents() == 1
    assert date(2026, 11, 4) == cohort.decisions[0].decided_on


def test_a_second_original_of_the_same_programme_is_refused_at_the_desk(client, login, centre):
    cohort = make_cohort(trainees=1)
    decide(cohort)
    again = training.create_cohort(
        cohort.course,
        code="2027-01",
        starts_on=date(2026, 11, 2),
        ends_on=date(2026, 11, 20),
        actor=Actor.system(),
    )
    same = training.add_trainee(
        again,
        full_name=cohort.trainees[0].full_name,
        iin=cohort.trainees[0].iin,
        workplace="",
        actor=Actor.system(),
    )
    db.session.commit()
    login("methodologist")
    client.get("/lang/ru")
    response = client.post(
        f"/staff/training/cohorts/{again.id}/decisions",
        data={"number": "30", "decided_on": "2026-11-24", "passed": [str(same.id)]},
    )
    assert response.status_code == 422
    assert "У этого человека уже есть подлинник по этой программе" in page_text(response)
    db.session.expire_all()
    assert count_documents() == 1
    assert training.get_cohort(again.id).decisions == []


# ---- the trainee follows the document on /status ----------------------------------------------------------


def test_a_trainee_follows_the_document_on_status_like_any_applicant(client, centre):
    (document,) = decide(make_cohort(trainees=1))
    # The trainee is in the state database of individuals (no clinic card): the code goes to the phone there.
    assert make_patient(2000, birth=date(1990, 5, 17), sex="F", phone="+77015550200", with_card=False) == (
        document.trainee_iin
    )
    number = document.request.number
    client.set_cookie("emhana_lang", "ru", domain="localhost")
    response = client.post("/status", data={"number": number})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/status/{number}/code")
    assert client.post(f"/status/{number}/code", data={"code": last_code("+77015550200")}).status_code == 303
    page = page_text(client.get(f"/status/{number}"))
    assert "Свидетельство о повышении квалификации" in page and "Сестринское дело в терапии" in page
    assert "Состояние документа" in page and "Готовится" in page
    make_ready(document, centre)
    db.session.commit()
    page = page_text(client.get(f"/status/{number}"))
    assert "Готов: выдаётся лично или лицу по доверенности" in page
    client.set_cookie("emhana_lang", "kk", domain="localhost")
    assert "Дайын: өзіңізге немесе сенімхаты бар адамға беріледі" in page_text(
        client.get(f"/status/{number}")
    )
