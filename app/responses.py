"""The one way a view answers with a file: a printed PDF, an uploaded file, a CSV.

Everything the app sends as a file is about a person or the clinic's journals, so it is never kept by a
shared desk browser or a proxy: `Cache-Control: no-store` on every one of them.
"""

from collections.abc import Iterable

from flask import Response, make_response, render_template

from app.models import Document
from app.services import document_signing

NO_STORE = "no-store"


def file_response(
    body: bytes | str | Iterable[str], *, content_type: str, filename: str, download: bool = False
) -> Response:
    """`body` as `filename`: shown in the browser (`inline`), or saved (`download=True`). An iterable body is
    streamed (the monitoring CSV, issue 22)."""
    response = make_response(body)
    response.headers["Content-Type"] = content_type
    disposition = "attachment" if download else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = NO_STORE
    return response


def pdf_response(pdf: bytes, filename: str) -> Response:
    """A printed document or journal, opened in the browser's PDF viewer."""
    return file_response(pdf, content_type="application/pdf", filename=filename)


def document_response(document: Document, filename: str = "") -> Response:
    """An issued document's stored PDF; while it waits for its electronic signature, a page that says so
    instead (202, retry later): a document is never handed out unsigned (issue 21)."""
    if document_signing.is_servable(document):
        return pdf_response(document.pdf, filename or f"{document.number}.pdf")
    page = render_template(
        "documents_staff/being_signed.html", document=document, message=document_signing.BEING_SIGNED_MESSAGE
    )
    response = make_response(page, 202)
    response.headers["Retry-After"] = "60"
    response.headers["Cache-Control"] = NO_STORE
    return response


def no_store(response: Response) -> Response:
    """A page with personal or medical data: the same cache policy as the files."""
    response.headers["Cache-Control"] = NO_STORE
    return response
