"""Public verification of an issued document: the QR code on every document opens /verify/<code>.

Shows whether the document is valid, expired or revoked, its type, dates and the subject's masked name,
and nothing else: whoever holds the paper may check it, but learns no more than the paper says.
"""

from flask import render_template

from app.blueprints.verify import bp
from app.services import documents, hiv_testing


@bp.get("/<code>")
def show_document(code: str):
    document = documents.find_by_verification_code(code)
    status = 404 if document is None else 200
    # An HIV certificate (service 7) names no card: an anonymous one shows its personal code, dates and
    # validity only.
    hiv_facts = hiv_testing.certificate_facts(document) if document else None
    page = render_template(
        "verify/show.html",
        document=document,
        status=documents.status_of(document) if document else None,
        kind=documents.get_kind(document.kind) if document else None,
        masked_name=document.subject.masked_name if document and document.subject else "",
        hiv_facts=hiv_facts,
    )
    return (
        page,
        status,
        {"Cache-Control": "no-store", "X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"},
    )
