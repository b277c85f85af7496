"""Issued documents for the head and admins: find by number, view, print the stored PDF, revoke."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.auth import current_actor, roles_required
from app.blueprints.documents import bp
from app.blueprints.documents.forms import RevokeForm
from app.extensions import db
from app.models import Document
from app.responses import document_response
from app.services import documents

ROLES = ("head", "admin")


@bp.get("/")
@roles_required(*ROLES)
def find_document():
    number = (request.args.get("number") or "").strip()
    if number:
        document = documents.find_for_staff(number, actor=current_actor())
        if document is not None:
            return redirect(url_for("documents.show_document", document_id=document.id))
        flash(_("No document with the number %(number)s.", number=number), "warning")
    return render_template("documents_staff/find.html", number=number)


@bp.get("/<int:document_id>")
@roles_required(*ROLES)
def show_document(document_id: int):
    document = documents.open_for_staff(_load(document_id), actor=current_actor())
    return _render(document, RevokeForm(formdata=None))


@bp.get("/<int:document_id>/pdf")
@roles_required(*ROLES)
def print_document(document_id: int):
    document = _load(document_id)
    if documents.get_kind(document.kind).sealed:
        abort(403)
    document = documents.open_for_staff(document, actor=current_actor(), printed=True)
    return document_response(document)


@bp.post("/<int:document_id>/revoke")
@roles_required(*ROLES)
def revoke_document(document_id: int):
    document = _load(document_id)
    form = RevokeForm()
    if document.revoked_at is not None:
        form.reason.errors = [_("This document is already revoked.")]
    elif form.validate_on_submit():
        documents.revoke(document, form.reason.data, current_actor())
        flash(_("Document %(number)s is revoked.", number=document.number), "success")
        return redirect(url_for("documents.show_document", document_id=document.id), 303)
    return _render(document, form)


def _load(document_id: int) -> Document:
    document = db.session.get(Document, document_id)
    if document is None:
        abort(404)
    return document


def _render(document: Document, form: RevokeForm):
    return render_template(
        "documents_staff/show.html",
        document=document,
        kind=documents.get_kind(document.kind),
        status=documents.status_of(document),
        form=form,
    )
