"""`flask expire-consents`: refuse third-party requests whose consent time ran out (cron/systemd timer).

The status pages expire requests lazily too; this catches the ones nobody looks at, so the refusal and
the applicant's SMS go out on time.
"""

import click

from app.blueprints.certificates import bp
from app.extensions import db
from app.services import certificates


@bp.cli.command("expire-consents")
def expire_consents():
    """Refuse information-form requests that waited for consent longer than CONSENT_TIMEOUT."""
    refused = certificates.expire_overdue_consents()
    db.session.commit()
    click.echo(f"{refused} request(s) refused for lack of consent")
