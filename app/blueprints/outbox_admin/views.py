"""The SMS outbox for admins: every message the app sent or tried to send (app.notify), newest first.

With the embedded backend this is how one-time codes are read in a demo (a code is shown while it can still
be used, masked once used or dead), and the page says on top that nothing is delivered; with a real provider
it shows what went out and what failed (codes are masked then). Each view is audited: messages name
patients' phones.
"""

from flask import render_template, request

from app.auth import current_actor, roles_required
from app.blueprints.outbox_admin import bp
from app.models.notify import SMS_STATUSES
from app.notify import delivers_externally, mask_phone
from app.services import sms


@bp.get("/")
@roles_required("admin")
def list_messages():
    phone = "".join(char for char in request.args.get("phone", "") if char.isdigit() or char == "+")[:20]
    status = request.args.get("status", "")
    messages = sms.outbox_messages(phone=phone, status=status, actor=current_actor())
    return render_template(
        "outbox_admin/list.html",
        messages=messages,
        texts=sms.outbox_texts(messages),
        delivered=delivers_externally(),
        phone=phone,
        status=status,
        statuses=SMS_STATUSES,
        mask_phone=mask_phone,
        purpose_label=sms.purpose_label,
        status_label=sms.sms_status_label,
    )
