"""`flask send-reminders`: SMS reminders for tomorrow's bookings, meant for a daily cron job or systemd timer.

Idempotent: each booking is reminded once (its reminder time is stored), so running the command again, or
twice by mistake, sends nothing new. Example timer: every day at 18:00 Asia/Almaty.
"""

import click

from app.blueprints.appointments import bp
from app.extensions import db
from app.services import appointments


@bp.cli.command("send-reminders")
def send_reminders():
    """Send the day-before SMS reminder for every confirmed booking of tomorrow not yet reminded."""
    sent = appointments.send_reminders()
    db.session.commit()
    click.echo(f"reminders sent: {sent}")
