"""The SMS outbox for admins: every message the app sent or tried to send (app.notify), newest first.

With the embedded backend this is how one-time codes are read in a demo; with a real provider it shows
what went out and what failed (codes are masked then). Each view is audited: messages name patients' phones.
"""

from flask import render_template, request
from sqlalchemy import select

from app.auth import audit, roles_required
from app.blueprints.outbox_admin import bp
from app.extensions import db
from app.models import SmsMessage
from app.models.notify import SMS_STATUSES
from app.notify import mask_phone

PAGE_SIZE = 100


@bp.get("/")
@roles_required("admin")
def list_messages():
    phone = "".join(char for char in request.args.get("phone", "") if char.isdigit() or char == "+")[:20]
    status = request.args.get("status", "")
    query = select(SmsMessage).order_by(SmsMessage.created_at.desc(), SmsMessage.id.desc()).limit(PAGE_SIZE)
    if phone:
        query = query.where(SmsMessage.phone.contains(phone))
    if status in SMS_STATUSES:
        query = query.where(SmsMessage.status == status)
    messages = list(db.session.scalars(query))
    audit("view", "sms_outbox", detail=f"phone={phone} status={status} rows={len(messages)}")
    return render_template(
        "outbox_admin/list.html",
        messages=messages,
        phone=phone,
        status=status,
        statuses=SMS_STATUSES,
        mask_phone=mask_phone,
    )
