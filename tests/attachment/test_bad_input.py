"""Bad input online and at the desk: the IIN, the phone on file, files, someone attached here, a second
application, a field that is wrong."""

import html
import io
from datetime import date

import pytest
from flask_babel import force_locale

from app.core.iin import make_iin
from app.extensions import db
from app.models import AttachmentApplication, AttachmentFile, ServiceRequest, SmsMessage
from app.services import attachment as attachment_service
from app.services import uploads
from app.services.otp import code_sent_notice
from tests.attachment.factories import (
    JPEG,
    PDF,
    application_of,
    apply_online,
    count,
    new_person,
    staff_client,
)
from tests.conftest import page_text


# ---- bad input -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "message"), [("kk", "ЖСН 12 цифрдан тұрады"), ("ru", "ИИН состоит из 12 цифр")]
)
def test_an_invalid_iin_is_refused_with_a_message_in_the_visitors_language(
    app, client, clinic, language, message
):
    client.get(f"/lang/{language}")
    response = client.post("/attachment/code", data={"iin": "12345"})
    assert message in page_text(response)
    assert count(SmsMessage) == 0


def test_the_desk_form_keeps_what_was_typed_when_the_iin_is_invalid(app, clinic, make_staff):
    desk = staff_client(app, make_staff, "registrar")
    response = desk.post(
        "/staff/attachment/new",
        data={
            "iin": "900101300124",
            "address": "Алматы, Абай даңғылы 20",
            "reason": "residence",
            "language": "kk",
            "identity_checked": "y",
            "application_file": (io.BytesIO(JPEG), "application.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "бақылау цифры" in page_text(response) or "ЖСН" in page_text(response)
    assert "Абай даңғылы 20" in response.get_data(as_text=True)
    assert count(ServiceRequest) == 0 and count(AttachmentFile) == 0


def test_a_person_with_no_phone_on_file_is_told_to_apply_at_the_desk(app, client, clinic):
    """In words that a stranger typing someone's IIN learns nothing from (issue 13): the code step says
    where to go when no SMS comes, for every IIN alike."""
    person = new_person(serial=113)
    person.phone = ""
    db.session.commit()
    client.get("/lang/kk")
    response = client.post("/attachment/code", data={"iin": person.iin})
    with force_locale("kk"):
        expected = code_sent_notice()
    assert expected in html.unescape(page_text(response)) and "тіркеу орнына" in expected
    assert count(SmsMessage) == 0


def test_someone_already_attached_here_is_told_so_and_nothing_is_made(app, client, clinic):
    existing = clinic["attached_here"]
    response = apply_online(client, existing.iin)
    assert response.status_code == 422
    assert "Сіз осы емханаға тіркелгенсіз" in page_text(response)
    assert count(ServiceRequest) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 this is a program, not a scan", "Бұл файл фото немесе PDF емес"),
        (b"<html><script>alert(1)</script></html>", "Бұл файл фото немесе PDF емес"),
        (JPEG + b"\x00" * 3000, "Файл тым үлкен"),
    ],
    ids=["program", "web-page", "too-big"],
)
def test_a_file_that_is_not_a_photo_or_pdf_or_is_too_big_is_refused(
    app, clinic, make_staff, content, message
):
    app.config["UPLOAD_MAX_BYTES"] = 2048
    person = new_person(serial=114)
    desk = staff_client(app, make_staff, "registrar")
    desk.get("/lang/kk")
    response = desk.post(
        "/staff/attachment/new",
        data={
            "iin": person.iin,
            "address": "Алматы, Абай даңғылы 20",
            "reason": "residence",
            "language": "kk",
            "identity_checked": "y",
            "application_file": (io.BytesIO(content), "scan.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert message in page_text(response)
    assert count(ServiceRequest) == 0 and count(AttachmentFile) == 0
    folder = uploads.uploads_dir()
    assert not folder.exists() or not any(folder.iterdir())


def test_an_unknown_person_at_the_desk_is_told_so(app, clinic, make_staff):
    desk = staff_client(app, make_staff, "registrar")
    desk.get("/lang/ru")
    response = desk.post(
        "/staff/attachment/new",
        data={
            "iin": make_iin(date(1970, 1, 1), "M", serial=9999),
            "address": "Алматы, Абай даңғылы 20",
            "reason": "residence",
            "language": "ru",
            "identity_checked": "y",
            "application_file": (io.BytesIO(JPEG), "a.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    with force_locale("ru"):
        expected = attachment_service.PersonUnknown().message
    assert expected in html.unescape(page_text(response))
    assert count(ServiceRequest) == 0


def test_no_identity_document_at_the_desk_is_the_requirements_ground(app, clinic, make_staff):
    person = new_person(serial=117)
    desk = staff_client(app, make_staff, "registrar")
    response = desk.post(
        "/staff/attachment/new",
        data={
            "iin": person.iin,
            "address": "Алматы, Абай даңғылы 20",
            "reason": "residence",
            "language": "kk",
            "application_file": (io.BytesIO(PDF), "a.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    application = application_of(person.iin)
    assert application.request.channel == "desk"
    assert attachment_service.assess(application).grounds == ["requirements_not_met"]


def test_a_second_open_application_is_not_made(app, client, clinic):
    person = new_person(serial=118)
    first = apply_online(client, person.iin, reason="residence")
    again = client.post("/attachment/apply", data={"address": "Алматы, Абай 1", "reason": "residence"})
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    assert count(AttachmentApplication) == 1


def test_the_online_form_keeps_what_was_typed_when_a_field_is_wrong(app, client, clinic):
    person = new_person(serial=119)
    response = apply_online(client, person.iin, reason="other", address="Алматы, Абай даңғылы 77")
    assert response.status_code == 422
    assert "Себебін бірнеше сөзбен" in page_text(response)
    assert "Абай даңғылы 77" in response.get_data(as_text=True)
    assert count(AttachmentApplication) == 0
