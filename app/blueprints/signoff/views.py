"""The sign-off queue of the signed-in staff member's roles."""

from flask import url_for

from app.auth import current_actor, roles_required
from app.blueprints.signoff import bp
from app.core.clock import local_now
from app.htmx import render_page
from app.services import signoff

SIGNING_ROLES = ("registrar", "doctor", "head_of_department", "senior_nurse")


@bp.get("/")
@roles_required(*SIGNING_ROLES)
def show_queue():
    actor = current_actor()
    roles = [role for role in SIGNING_ROLES if actor.staff.has_role(role)]
    return render_page(
        "signoff/queue.html",
        "signoff/_queue.html",
        items=signoff.open_queue(roles, actor=actor),
        queue_url=url_for(".show_queue"),
        now=local_now(),
    )
