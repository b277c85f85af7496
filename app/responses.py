"""The one way a view answers with a file: a printed PDF, an uploaded file, a CSV.

Everything the app sends as a file is about a person or the clinic's journals, so it is never kept by a
shared desk browser or a proxy: `Cache-Control: no-store` on every one of them.
"""

from flask import Response, make_response

NO_STORE = "no-store"


def file_response(body: bytes | str, *, content_type: str, filename: str, download: bool = False) -> Response:
    """`body` as `filename`: shown in the browser (`inline`), or saved (`download=True`)."""
    response = make_response(body)
    response.headers["Content-Type"] = content_type
    disposition = "attachment" if download else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = NO_STORE
    return response


def pdf_response(pdf: bytes, filename: str) -> Response:
    """A printed document or journal, opened in the browser's PDF viewer."""
    return file_response(pdf, content_type="application/pdf", filename=filename)


def no_store(response: Response) -> Response:
    """A page with personal or medical data: the same cache policy as the files."""
    response.headers["Cache-Control"] = NO_STORE
    return response
