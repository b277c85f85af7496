"""Public verification of an issued document: the QR code on every document opens /verify/<code>; and the
"check a PDF" page (/verify/pdf), where anyone may upload a PDF and learn whether it is an unaltered
document of this clinic.

Both say whether the document is valid, expired or revoked, and /verify/<code> whether its electronic
signature holds (checked on the stored PDF at each visit), its type, dates and the subject's masked name,
and nothing else: whoever holds the paper may check it, but learns no more than the paper says. The upload
page says only the verdict, keeps nothing of the file, and is rate-limited per origin.
"""

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l

from app.blueprints.verify import bp
from app.blueprints.verify.forms import CheckPdfForm
from app.channels import client_key
from app.services import document_signing, documents, hiv_testing
from app.services.rate_limit import RateLimited

PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"}

# The upload's verdict (document_signing.UPLOAD_STATES), the only thing the page says about the file.
UPLOAD_VERDICTS = {
    "valid": _l("Valid: this is an unaltered document issued by the clinic, and it is in force."),
    "expired": _l("This is an unaltered document issued by the clinic, but its validity has ended."),
    "revoked": _l("This document was issued by the clinic but has been revoked: it must not be relied on."),
    "altered": _l("The file was changed after it was signed: it is not the document the clinic issued."),
    "foreign": _l("The file is signed, but not by this clinic."),
    "unknown": _l(
        "The file carries the clinic's signature but is not exactly a document the clinic issued: "
        "it may have been changed. Do not rely on it."
    ),
    "unsigned": _l("The file has no electronic signature: it is not a document issued by the clinic."),
    "not_pdf": _l("The file is not a PDF document, or it cannot be read."),
    "too_big": _l("The file is too large to be a document of the clinic."),
}
TOO_MANY_CHECKS = _l(
    "Too many files were checked from this address. Please try again in %(minutes)s minutes."
)


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
        signature=document_signing.signature_report(document) if document else None,
        being_signed=document_signing.BEING_SIGNED_MESSAGE,
    )
    return page, status, PRIVATE


@bp.route("/pdf", methods=["GET", "POST"])
def check_pdf():
    form = CheckPdfForm()
    verdict, status, limited = None, 200, ""
    if form.validate_on_submit():
        limit = int(current_app.config.get("SIGNING_CHECK_MAX_BYTES", 10 * 1024 * 1024))
        data = form.file.data.read(limit + 1)
        try:
            verdict = document_signing.check_upload(data, origin=client_key())
        except RateLimited as error:
            limited = TOO_MANY_CHECKS % {"minutes": error.retry_after_minutes}
            status = 429
    elif form.is_submitted():
        status = 400
    page = render_template(
        "verify/check_pdf.html",
        form=form,
        verdict=verdict,
        verdict_text=UPLOAD_VERDICTS.get(verdict.state, "") if verdict else "",
        limited=limited,
    )
    return page, status, PRIVATE
