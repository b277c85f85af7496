"""Staff authentication and role-based access: the `roles_required` decorator guards every staff route."""

from functools import wraps

from flask import Flask, abort, current_app, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from app.core.actors import Actor
from app.core.clock import now
from app.extensions import db, login_manager
from app.models import StaffMember
from app.services import audit as audit_service
from app.sessions import mark_seen

# Where each role lands after signing in; the first role a person holds in this order wins.
START_PAGES = (
    ("admin", "admin.show_dashboard"),
    ("head", "staff.show_head_start"),
    ("doctor", "staff.show_doctor_start"),
    ("registrar", "staff.show_registrar_start"),
    # urgent care (service 12) and hospitalization referrals (service 13)
    ("urgent_nurse", "desk_urgent_care.show_journal"),
    ("urgent_doctor", "desk_urgent_care.show_route"),
    ("referral_specialist", "desk_referrals.list_referrals"),
    # training documents (service 14)
    ("academic_deputy", "desk_training.show_worklist"),
    ("methodologist", "desk_training.show_worklist"),
    # documents signed at the clinic (services 8, 9): the day hospital's staff start at their sign-off queue
    ("head_of_department", "signoff.show_queue"),
    ("senior_nurse", "signoff.show_queue"),
    # HIV testing (service 7)
    ("counselling_doctor", "desk_hiv_testing.list_tests"),
    ("procedure_nurse", "desk_hiv_testing.list_tests"),
    ("lab", "desk_hiv_testing.show_lab_queue"),
    # sick leave (services 10, 11)
    ("issuing_desk", "desk_sick_leave.show_queue"),
)


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    app.before_request(_expire_idle_staff_session)


@login_manager.user_loader
def load_staff(staff_id: str) -> StaffMember | None:
    staff = db.session.get(StaffMember, int(staff_id))
    return staff if staff is not None and staff.is_active else None


def roles_required(*roles: str):
    """Allow the view to staff holding any of `roles`; others get 403, anonymous users the login page.

    The roles are stored on the view so the access-matrix test can check every staff route declares them.
    """

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        guarded.allowed_roles = frozenset(roles)
        return guarded

    return decorator


def start_page_for(staff: StaffMember) -> str:
    for role, endpoint in START_PAGES:
        if staff.has_role(role):
            return url_for(endpoint)
    return url_for("public.show_home")


def _expire_idle_staff_session():
    if not current_user.is_authenticated:
        return None
    timeout = current_app.config["STAFF_IDLE_TIMEOUT"]
    last_seen = session.get("staff_last_seen")
    moment = now().timestamp()
    if last_seen is not None and moment - last_seen > timeout.total_seconds():
        logout_user()
        session.clear()
        # The login form itself (and static files) carry on, so signing in again after a timeout works.
        if request.endpoint and request.endpoint not in ("static", "auth.login"):
            return redirect(url_for("auth.login", next=request.full_path, expired=1))
        return None
    # At most once a minute: no session write on every page.
    mark_seen(session, "staff_last_seen", moment, timeout.total_seconds())
    return None


def current_actor() -> Actor:
    """The signed-in staff member as the actor of a service operation, with where the request came from."""
    return Actor.of_staff(
        current_user, ip=request.remote_addr or "", user_agent=request.user_agent.string or ""
    )


def audit(
    action: str,
    object_type: str,
    *,
    object_id: str | int = "",
    patient_id: int | None = None,
    detail: str = "",
    staff_id: int | None = None,
):
    """Record an audit entry for the current staff member, with where the request came from. For what is not
    a service operation (signing in, admin pages); service operations audit themselves with the actor."""
    if staff_id is None and current_user.is_authenticated:
        staff_id = current_user.id
    return audit_service.record(
        staff_id=staff_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        patient_id=patient_id,
        detail=detail,
        ip=request.remote_addr or "",
        user_agent=request.user_agent.string or "",
    )
