"""The document engine: the three regulation forms in the PDF, the static-only URL fetcher, immutable stored
documents, reprints, public verification and revocation."""

import gc
import hashlib
import io
import re

import pytest
from flask_babel import force_locale, gettext
from pypdf import PdfReader
from sqlalchemy import select
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from app.core.actors import Actor
from app.core.bilingual import Bilingual
from app.core.clock import ALMATY
from app.documents import (
    DROPPED_PSEUDO_ELEMENTS,
    EVERY_ELEMENT_PSEUDO_RULES,
    PRINT_STYLESHEET,
    PRINT_USER_AGENT_STYLESHEET,
    STATIC_BASE_URL,
    STATIC_ROOT,
    WEASYPRINT_UA,
    ResourceRefused,
    StaticOnlyFetcher,
    _print_user_agent_css,
    html_to_pages,
    html_to_pdf,
)
from app.extensions import db
from app.models import AuditEntry, Document
from app.models.document import ImmutableDocumentError
from app.services import certificates, documents
from tests.certificates.factories import registry_person
from tests.conftest import page_text

COMMON_LABELS = [
    "нысаны",
    "Сведения/Мәлімет",
    "Берілген күні",
    "Дата выдачи",
    "Т.А.Ә. (ол болған жағдайда)",
    "Ф.И.О. (при его наличии)",
    "Туған күні",
    "Дата рождения",
    "Мекенжайы",
    "Адрес (место жительства)",
    "Деректер",
    "ақпараттық жүйесімен берілген",
    "Данные предоставлены информационной системой",
    "мемлекеттік көрсетілетін қызмет стандартына қосымша",
]
FORM_LABELS = {
    "tb": [
        '«"Фтизиатрия" Фтизиопульмонология орталығынан мәліметтер ұсыну»',
        "(туберкулезбен ауыратын науқастардың диспансерлік есепте тұратыны немесе тұрмайтыны)",
        "Диспансерлік есепте тұратыны (тұрмайтыны)",
        "На диспансерном учете",
    ],
    "psychiatry": [
        '«"Психиатрия" Психикалық денсаулық орталығынан мәліметтер ұсыну»',
        "(психикалық мінез-құлық бұзылуларымен науқастардың динамикалық бақылауда тұрғаны туралы "
        "(немесе динамикалық бақылауда болмауы))",
        "Динамикалық бақылауда тұратыны (тұрмайтыны)",
        "На динамическом наблюдении",
    ],
    "narcology": [
        '«"Наркология" Психикалық денсаулық орталығынан мәліметтер ұсыну»',
        "(наркологиялық науқастардың динамикалық бақылауда тұрғаны туралы "
        "(немесе динамикалық бақылауда болмауы))",
        "Динамикалық бақылауда тұратыны (тұрмайтыны)",
        "На динамическом наблюдении",
    ],
}


def pdf_text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)


def issue_form(register="tb", *, language="kk", registers=("tb",), serial=1234):
    person = registry_person(registers=registers, serial=serial)
    request = certificates.request_form(
        register,
        applicant_iin=person.iin,
        subject_iin=person.iin,
        channel="web",
        actor=Actor.applicant(),
        language=language,
    )
    db.session.commit()
    assert request.status == "completed", [event.step for event in request.events]
    return request, certificates.result_document(request), person


@pytest.mark.parametrize("language", ["kk", "ru"])
@pytest.mark.parametrize("register", ["tb", "psychiatry", "narcology"])
def test_each_form_prints_every_kazakh_and_russian_label_of_the_regulation(app, register, language):
    request, document, person = issue_form(register, language=language, registers=(register,))
    text = pdf_text(document.pdf)
    for label in COMMON_LABELS + FORM_LABELS[register]:
        assert label in text, label
    assert "тұрады / состоит" in text
    assert person.full_name in text and "12.04.1985" in text and person.address in text
    assert "Emhana" in text  # the information system the local registry names
    # Below the form, apart from it: number, IIN, validity date (issue + 10 calendar days), verification URL.
    assert document.number in text and person.iin in text
    assert document.valid_until.strftime("%d.%m.%Y") in text
    assert f"/verify/{document.verification_code}" in text
    assert ("Құжат нөмірі" if language == "kk" else "Номер документа") in text


def test_a_person_not_on_the_register_gets_not_registered(app):
    request, document, person = issue_form("narcology", registers=("tb",))
    assert "тұрмайды / не состоит" in pdf_text(document.pdf)
    assert request.information_form.is_registered is False


def test_stored_document_is_numbered_hashed_and_valid_ten_calendar_days(app, frozen):
    frozen(2026, 3, 10, 16, 45)
    request, document, person = issue_form()
    assert document.number == "TBF-2026-000001"
    assert document.sha256 == hashlib.sha256(document.pdf).hexdigest()
    assert document.pdf.startswith(b"%PDF")
    local_end = document.valid_until.astimezone(ALMATY)
    assert (local_end.date().isoformat(), local_end.hour, local_end.minute) == ("2026-03-20", 23, 59)
    assert document.subject is not None and document.subject.iin == person.iin
    assert len(document.verification_code) >= 32


def test_numbers_count_per_kind_and_year(app, frozen):
    frozen(2026, 12, 31, 23, 0)
    first = issue_form("tb", serial=1)[1]
    second = issue_form("tb", serial=2)[1]
    other = issue_form("psychiatry", registers=(), serial=3)[1]
    frozen(2027, 1, 1, 0, 30)  # Almaty's new year
    next_year = issue_form("tb", serial=4)[1]
    assert [first.number, second.number, other.number, next_year.number] == [
        "TBF-2026-000001",
        "TBF-2026-000002",
        "PSF-2026-000001",
        "TBF-2027-000001",
    ]


def test_an_issued_document_cannot_be_changed_or_deleted(app):
    document = issue_form()[1]
    document.pdf = b"%PDF-forged"
    with pytest.raises(ImmutableDocumentError):
        db.session.flush()
    db.session.rollback()
    document = db.session.get(Document, document.id)
    db.session.delete(document)
    with pytest.raises(ImmutableDocumentError):
        db.session.flush()
    db.session.rollback()


def test_reprints_serve_the_stored_bytes(app, client, login):
    request, document, person = issue_form()
    login("head")
    first = client.get(f"/staff/documents/{document.id}/pdf")
    second = client.get(f"/staff/documents/{document.id}/pdf")
    assert first.status_code == 200 and first.headers["Content-Type"] == "application/pdf"
    assert first.data == second.data == db.session.get(Document, document.id).pdf
    assert hashlib.sha256(first.data).hexdigest() == document.sha256
    prints = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "print")).all()
    assert len(prints) == 2 and prints[0].object_id == document.number


# ---- the URL fetcher ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://example.com/style.css",
        "ftp://example.com/x",
        "file:///etc/passwd",
        (STATIC_ROOT / ".." / "config.py").as_uri(),
        (STATIC_ROOT / "fonts" / "no-such-font.ttf").as_uri(),
        "file://evil.example" + str(STATIC_ROOT / "css" / "print.css"),
        "data:text/plain,hello",
    ],
)
def test_the_fetcher_refuses_anything_but_our_static_files(url):
    with pytest.raises(ResourceRefused):
        StaticOnlyFetcher().fetch(url)


def test_the_fetcher_serves_static_files():
    response = StaticOnlyFetcher().fetch((STATIC_ROOT / "fonts" / "PTSans-Regular.ttf").as_uri())
    assert response.read()[:4] == b"\x00\x01\x00\x00"
    response.close()


@pytest.mark.parametrize(
    "tag",
    [
        '<img src="https://example.com/tracker.png">',
        '<link rel="stylesheet" href="file:///etc/passwd">',
        '<img src="../../config.py">',
    ],
)
def test_a_document_asking_for_outside_resources_fails_to_render(app, tag):
    with pytest.raises(ResourceRefused):
        html_to_pdf(f"<!doctype html><html><head>{tag}</head><body><p>Сәлем</p>{tag}</body></html>")


def test_relative_static_resources_render(app):
    pdf = html_to_pdf("<!doctype html><p style=\"font-family: 'PT Sans'\">Қазақша мәтін</p>")
    assert "Қазақша мәтін" in pdf_text(pdf)


# ---- speed: the user agent stylesheet and the paused collector (issue 22, docs/performance.md) -------------
def test_the_print_user_agent_stylesheet_drops_only_the_every_element_pseudo_rules():
    """WeasyPrint's own UA stylesheet, less the rules that gave every element five pseudo-elements nobody
    uses (footnotes, notes); the marker's rule is kept for list items. A WeasyPrint that words them
    differently fails here instead of silently keeping (or losing) them."""
    found = [match.group(1) for match in EVERY_ELEMENT_PSEUDO_RULES.finditer(WEASYPRINT_UA)]
    assert found == ["marker", *DROPPED_PSEUDO_ELEMENTS]
    trimmed = _print_user_agent_css(WEASYPRINT_UA)
    assert EVERY_ELEMENT_PSEUDO_RULES.search(trimmed) is None
    assert "li::marker { font-variant-numeric: tabular-nums;" in trimmed
    removed = [line for line in WEASYPRINT_UA.splitlines() if line not in trimmed.splitlines()]
    assert [line.split(" ", 1)[0] for line in removed] == [f"::{name}" for name in found]
    assert PRINT_USER_AGENT_STYLESHEET.matcher is not None


def boxes(page) -> list[tuple]:
    """Every box of a laid-out page: its kind, element, text and place, in tree order."""
    found = []

    def walk(box):
        found.append(
            (
                type(box).__name__,
                getattr(box, "element_tag", None),
                getattr(box, "text", None),
                *(round(value, 3) for value in (box.position_x, box.position_y, box.width, box.height)),
            )
        )
        for child in getattr(box, "children", ()):
            walk(child)

    walk(page._page_box)
    return found


def test_the_print_user_agent_stylesheet_lays_out_as_weasyprints_own(app):
    """Lists with their markers, line breaks, tables, headings, the form fields' table cells: every box in
    the same place as with WeasyPrint's whole UA stylesheet."""
    html = (
        "<!doctype html><html lang='kk'><body class='document'><h1>Тақырып</h1><h2>Бөлім</h2>"
        "<ol><li>бір</li><li>екі</li></ol><ul><li>үш</li></ul><p>жол<br>келесі <b>қалың</b></p>"
        "<div class='form-field'><div class='form-field__line'><span class='form-field__label'>Аты</span>"
        "<span class='form-field__value'>Әсел</span></div></div>"
        "<table class='print-table'><thead><tr><th>Аты</th><th>Жасы</th></tr></thead>"
        "<tbody><tr><td>Ахметова Әсел<br>ЖСН 850401400123</td><td class='nowrap'>41 жас</td></tr></tbody>"
        "</table></body></html>"
    )
    fetcher, fonts = StaticOnlyFetcher(), FontConfiguration()
    stock = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=fetcher).render(
        stylesheets=[CSS(filename=str(PRINT_STYLESHEET), url_fetcher=fetcher, font_config=fonts)],
        font_config=fonts,
    )
    ours = html_to_pages(html)
    assert len(ours.pages) == len(stock.pages) == 1
    assert boxes(ours.pages[0]) == boxes(stock.pages[0])
    assert any(kind == "LineBox" and text is None for kind, _tag, text, *_ in boxes(ours.pages[0]))
    assert [text for *_, text, _x, _y, _w, _h in boxes(ours.pages[0]) if text and text[0].isdigit()][:2] == [
        "1. ",
        "2. ",
    ]


def test_the_collector_runs_again_after_rendering_even_a_refused_document(app):
    assert gc.isenabled()
    html_to_pdf("<!doctype html><p>Сәлем</p>")
    assert gc.isenabled()
    with pytest.raises(ResourceRefused):
        html_to_pdf('<!doctype html><img src="https://example.com/x.png">')
    assert gc.isenabled()
    gc.disable()  # switched off by someone else: left off
    try:
        html_to_pdf("<!doctype html><p>Сәлем</p>")
        assert not gc.isenabled()
    finally:
        gc.enable()


# ---- verification and revocation ----------------------------------------------------------------------


def test_verify_shows_a_valid_document_with_a_masked_name_only(app, client):
    request, document, person = issue_form()
    response = client.get(f"/verify/{document.verification_code}")
    assert response.status_code == 200
    text = page_text(response)
    assert "Жарамды" in text
    assert document.number in text and "Туберкулезге қарсы ұйымнан мәлімет" in text
    assert "А******* Ә. С." in text
    assert person.first_name not in text and person.iin not in text
    assert "тұрады" not in text and "состоит" not in text  # never the status itself
    assert response.headers["Cache-Control"] == "no-store"
    client.get("/lang/ru")
    text = page_text(client.get(f"/verify/{document.verification_code}"))
    assert "Действителен" in text and "Сведения из противотуберкулёзной организации" in text


def test_verify_shows_an_expired_document(app, client, frozen):
    frozen(2026, 3, 10, 9, 0)
    document = issue_form()[1]
    frozen(2026, 3, 20, 23, 0)
    assert "Жарамды" in page_text(client.get(f"/verify/{document.verification_code}"))
    frozen(2026, 3, 21, 0, 1)
    client.get("/lang/ru")
    assert "Срок действия истёк" in page_text(client.get(f"/verify/{document.verification_code}"))


def test_an_unknown_code_is_not_found(client):
    response = client.get("/verify/not-a-real-code")
    assert response.status_code == 404
    assert "Бұл кодпен құжат берілмеген" in page_text(response)


def test_the_head_revokes_with_a_reason_and_verification_says_revoked(app, client, login):
    request, document, person = issue_form()
    head = login("head")
    page = client.get(f"/staff/documents/{document.id}")
    assert page.status_code == 200 and document.sha256 in page_text(page)
    refused = client.post(f"/staff/documents/{document.id}/revoke", data={"reason": ""})
    assert refused.status_code == 200 and "Құжатты кері қайтарып алу себебін жазыңыз" in page_text(refused)
    assert db.session.get(Document, document.id).revoked_at is None
    done = client.post(
        f"/staff/documents/{document.id}/revoke", data={"reason": "Issued to the wrong person"}
    )
    assert done.status_code == 303
    stored = db.session.get(Document, document.id)
    assert stored.revoked_at is not None and stored.revocation_reason == "Issued to the wrong person"
    assert stored.pdf == document.pdf  # the file itself stays as issued
    with force_locale("kk"):
        revoked_label = gettext("Document revoked")
    assert revoked_label in page_text(client.get(f"/verify/{document.verification_code}"))
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "revoke")).one()
    assert (audit.staff_id, audit.object_id, audit.patient_id) == (
        head.id,
        document.number,
        document.subject_id,
    )
    assert "document_revoked" in [event.step for event in request.events]
    again = client.post(f"/staff/documents/{document.id}/revoke", data={"reason": "Once more please"})
    assert "already revoked" in again.get_data(as_text=True) or "кері қайтарылған" in page_text(again)


def test_staff_find_a_document_by_number(app, client, login):
    document = issue_form()[1]
    login("admin")
    response = client.get(f"/staff/documents/?number={document.number.lower()}")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/staff/documents/{document.id}"
    )
    assert "TBF-2026-999999" in page_text(client.get("/staff/documents/?number=TBF-2026-999999"))


@pytest.mark.parametrize("role", ["registrar", "doctor"])
def test_only_the_head_and_admins_revoke(app, client, login, role):
    document = issue_form()[1]
    login(role)
    assert client.get(f"/staff/documents/{document.id}").status_code == 403
    assert (
        client.post(f"/staff/documents/{document.id}/revoke", data={"reason": "Because I can"}).status_code
        == 403
    )
    assert db.session.get(Document, document.id).revoked_at is None


def test_revocation_needs_a_reason_in_the_service_too(app):
    document = issue_form()[1]
    with pytest.raises(documents.RevocationError):
        documents.revoke(document, "  ", Actor.system())
    documents.revoke(document, "wrong person", Actor.system())
    with pytest.raises(documents.RevocationError):
        documents.revoke(document, "wrong person again", Actor.system())


def test_unregistered_kinds_still_verify(app, client):
    documents.register_kind("test_kind", "TST", Bilingual("Сынақ құжаты", "Тестовый документ"))
    document = documents.issue_document(
        "test_kind", "documents/base.html", {}, subject=None, language="ru", valid_until=None
    )
    db.session.commit()
    assert document.number.startswith("TST-")
    assert "Сынақ құжаты" in page_text(client.get(f"/verify/{document.verification_code}"))
