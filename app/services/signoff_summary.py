"""What the person reads on /status about a document several staff members sign: each step, done (when) or
waiting (until when). A service registers it as its summary: `request_summary.register(SERVICE,
progress_summary)`, and `prefetch_signoffs` as its prefetch (a list of a person's requests reads every
sign-off and its signatures in two queries, not two per request)."""

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.models import ServiceRequest, Signoff
from app.services import signoff
from app.services.request_summary import Fact, Summary


def prefetch_signoffs(requests: list[ServiceRequest]) -> None:
    """`request.signoff` of many requests at once, with its signatures (loaded with it, in one query)."""
    found = {
        row.request_id: row
        for row in db.session.scalars(
            select(Signoff).where(Signoff.request_id.in_([request.id for request in requests]))
        )
    }
    for request in requests:
        set_committed_value(request, "signoff", found.get(request.id))


def progress_summary(request: ServiceRequest) -> Summary | None:
    rows = signoff.progress(request)
    if not rows:
        return None
    facts = []
    for row in rows:
        if row.state == "done":
            value = _("Signed %(at)s", at=format_datetime(row.signatory.at, "dd.MM.yyyy HH:mm"))
        elif row.state == "current":
            value = _("In progress, due by %(at)s", at=format_datetime(row.due_at, "dd.MM.yyyy HH:mm"))
            if row.late:
                value = _(
                    "In progress, late (due by %(at)s)", at=format_datetime(row.due_at, "dd.MM.yyyy HH:mm")
                )
        elif row.state == "skipped":
            value = _("Not needed")
        else:
            value = _("Waiting")
        facts.append(Fact(label=str(row.step.title), value=value))
    notes = ()
    backs = signoff.send_backs(request)
    if backs and request.is_open:
        notes = (_("The document was sent back to an earlier step: %(reason)s", reason=backs[-1].reason),)
    return Summary(title=_("Signatures"), facts=tuple(facts), notes=notes)
