"""The public "check a PDF" page in a real browser (issue 21): a demo document as issued is "valid", the same
file with one byte changed is not, in Russian and Kazakh; and /verify/<code> says the signature holds."""

import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from app.core.clock import frozen_clock
from tests.browser.conftest import assert_accessible, snap
from tests.conftest import DEFAULT_MOMENT


@pytest.fixture(scope="module")
def signed_server(tmp_path_factory):
    from app import create_app
    from app.demo import seed
    from app.extensions import db
    from app.models import Base, Document

    folder = tmp_path_factory.mktemp("signing-db")
    app = create_app(
        {
            "SECRET_KEY": "browser-tests",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'browser.db'}",
            "SIGNING_KEY_FILE": str(folder / "clinic.p12"),
        }
    )
    with app.app_context():
        Base.metadata.create_all(db.engine)
        with frozen_clock(DEFAULT_MOMENT):  # the tests' moment, not the wall clock's
            seed()
        db.session.commit()
        document = db.session.query(Document).filter_by(signature_state="signed").first()
        pdf, code = document.pdf, document.verification_code
    original = folder / "document.pdf"
    original.write_bytes(pdf)
    altered = bytearray(pdf)
    altered[len(pdf) // 4] ^= 0x01
    (folder / "altered.pdf").write_bytes(bytes(altered))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", folder, code
    server.shutdown()


def test_check_a_pdf_in_the_browser(page, signed_server):
    url, folder, code = signed_server
    page.goto(url + "/verify/pdf")
    page.get_by_role("link", name="Русский").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Проверка PDF-документа")
    assert_accessible(page)
    page.get_by_label("PDF-файл").set_input_files(str(folder / "document.pdf"))
    page.get_by_role("button", name="Проверить").click()
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "valid")
    expect(page.locator("[data-verdict]")).to_contain_text("Действителен")
    snap(page, "1-valid")
    assert_accessible(page)

    page.get_by_label("PDF-файл").set_input_files(str(folder / "altered.pdf"))
    page.get_by_role("button", name="Проверить").click()
    expect(page.locator("[data-verdict]")).not_to_have_attribute("data-verdict", "valid")
    snap(page, "2-altered")

    page.get_by_role("link", name="Қазақша").click()
    page.get_by_label("PDF файл").set_input_files(str(folder / "document.pdf"))
    page.get_by_role("button", name="Тексеру").click()
    expect(page.locator("[data-verdict]")).to_contain_text("Жарамды")

    page.goto(url + f"/verify/{code}")
    expect(page.locator("[data-signature]")).to_have_attribute("data-signature", "valid")
    expect(page.locator("[data-signature]")).to_contain_text("Электрондық қолтаңба жарамды")
    snap(page, "3-verify")
    assert_accessible(page)
