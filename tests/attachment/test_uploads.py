"""Uploaded files, directly: the type read from the content, private storage."""

import io

import pytest

from app.services import uploads
from tests.attachment.factories import PDF


# ---- uploads, directly -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe1", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00", "image/png"),
        (b"%PDF-1.7", "application/pdf"),
        (b"GIF89a", None),
        (b"PK\x03\x04", None),
        (b"", None),
    ],
)
def test_the_type_of_an_upload_is_read_from_its_content(head, expected):
    detected = uploads.detect_content_type(head)
    assert (detected[0] if detected else None) == expected


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n",
        b"%PDF-<!DOCTYPE html><p>hello</p>",
        b"%PDF-1.4\n1 0 obj <<>> endobj\n",  # cut short: no %%EOF
        b"\xff\xd8\xff\xe0<html><script>alert(1)</script>",
    ],
    ids=["html behind a pdf signature", "doctype", "truncated pdf", "html behind a jpeg signature"],
)
def test_a_web_page_behind_a_signature_is_not_taken(app, content):
    """Issue 13 (low): "a `%PDF`-prefixed HTML file passes the upload check"."""
    with pytest.raises(uploads.UploadError) as refused:
        uploads.check(io.BytesIO(content), "scan.pdf")
    assert "фото немесе PDF емес" in str(refused.value)


def test_a_stored_upload_is_private_and_under_the_configured_folder(app):
    checked = uploads.check(io.BytesIO(PDF), "../../evil name.pdf")
    stored = uploads.save(checked)
    path = uploads.path_of(stored.stored_name)
    assert path.parent == uploads.uploads_dir()
    assert path.stat().st_mode & 0o777 == 0o600
    assert stored.original_name == "evil name.pdf" and stored.content_type == "application/pdf"
    uploads.remove(stored.stored_name)
    assert uploads.path_of(stored.stored_name) is None
