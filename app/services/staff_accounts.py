"""Staff accounts: creation, password hashing (Argon2id), sign-in with lockout, and the admin's changes.

Failed sign-ins are held per account AND address (issue 13, item 2): LOGIN_MAX_FAILURES wrong passwords for
one username from one address hold that username at that address for LOGIN_LOCKOUT, and
LOGIN_MAX_FAILURES_PER_ADDRESS failures from one address (any usernames) hold the address. Someone guessing
at another computer never locks the real user out of their own desk. The username typed is counted whether
or not such an account exists, and the answer is the same in both cases, so the sign-in form does not tell
which usernames exist. The counters live in the rate-limit table, keyed by HMACs (no usernames or addresses
in the clear).
"""

import logging
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from app.core.actors import Actor
from app.core.clock import now
from app.extensions import db
from app.models import District, StaffMember, StaffRole, WebSession
from app.models.staff import ROLES
from app.services import rate_limit
from app.services.specialities import get_speciality

log = logging.getLogger(__name__)
_DEFAULT_HASHER = PasswordHasher()  # Argon2id with the library's current recommended parameters
MIN_PASSWORD_LENGTH = 10
# Letters, digits and . _ - only: usernames are typed on shared desk keyboards in either layout.
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9._-]{2,80}$")
# The handful of passwords people reach for first; a determined guesser tries these before anything else.
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "12345678910",
        "0123456789",
        "qwertyuiop",
        "qwerty12345",
        "1q2w3e4r5t",
        "password123",
        "password12",
        "passw0rd123",
        "administrator",
        "admin12345",
        "emhana12345",
        "polyclinic",
        "qazaqstan2026",
        "kazakhstan",
        "almaty2026",
    }
)

ROLE_LABELS = {
    "registrar": _l("Registrar"),
    "doctor": _l("Doctor"),
    "head": _l("Head of the clinic"),
    "admin": _l("Administrator"),
    # urgent care (service 12) and hospitalization referrals (service 13)
    "urgent_nurse": _l("Nurse-registrar of urgent care"),
    "urgent_doctor": _l("Urgent-care doctor or feldsher"),
    "referral_specialist": _l("Hospitalization referral specialist"),
    # training documents (service 14)
    "methodologist": _l("Training centre methodologist"),
    "academic_deputy": _l("Deputy head for academic work"),
    "head_of_department": _l("Head of department"),
    "senior_nurse": _l("Senior nurse"),
    # HIV testing (service 7)
    "counselling_doctor": _l("Counselling-room doctor"),
    "procedure_nurse": _l("Procedure-room nurse"),
    "lab": _l("Laboratory"),
    # sick leave (services 10, 11)
    "issuing_desk": _l("Issuing desk"),
}


class AccountError(ValueError):
    """A change to an account that the rules refuse; `message` is shown next to `field` on the form."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


@dataclass(frozen=True)
class LoginOutcome:
    staff: StaffMember | None  # set only on success
    staff_id: int | None = None  # the account that was tried, if it exists (for the audit log)
    locked_until: datetime | None = None  # this username is held at this address until then

    @property
    def lock_minutes(self) -> int:
        if not self.locked_until:
            return 0
        return max(1, math.ceil((self.locked_until - now()).total_seconds() / 60))


@lru_cache(maxsize=4)
def _hasher_with(parameters: tuple) -> PasswordHasher:
    return PasswordHasher(**dict(parameters))


def _hasher() -> PasswordHasher:
    """The Argon2id hasher; PASSWORD_HASH_PARAMETERS may change its cost (tests lower it for speed)."""
    parameters = current_app.config.get("PASSWORD_HASH_PARAMETERS") if has_app_context() else None
    return _hasher_with(tuple(sorted(parameters.items()))) if parameters else _DEFAULT_HASHER


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password_strength(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            _l("The password must have at least %(count)s characters.", count=MIN_PASSWORD_LENGTH),
            field="password",
        )
    lowered = password.lower()
    if (
        lowered in COMMON_PASSWORDS
        or len(set(lowered)) < 5
        or (len(username) >= 3 and username.strip().lower() in lowered)
    ):
        raise AccountError(
            _l(
                "This password is too easy to guess: avoid common passwords, repeated characters "
                "and the username."
            ),
            field="password",
        )


def find_by_username(username: str) -> StaffMember | None:
    return db.session.scalars(
        select(StaffMember).where(func.lower(StaffMember.username) == username.strip().lower())
    ).first()


def get_staff(staff_id: int) -> StaffMember | None:
    return db.session.get(StaffMember, staff_id)


def list_staff() -> list[StaffMember]:
    """Active accounts first, then by name: the order the admin looks for people in."""
    return list(
        db.session.scalars(
            select(StaffMember)
            .options(selectinload(StaffMember.district))
            .order_by(StaffMember.is_active_account.desc(), StaffMember.full_name)
        )
    )


def is_locked(staff: StaffMember) -> bool:
    """Sign-in to this account is held at one address or more after repeated failures."""
    return locked_until(staff) is not None


def locked_until(staff: StaffMember) -> datetime | None:
    """When the last address held for this account may try again (None: no address is held)."""
    return rate_limit.held_until(
        _account_scope(staff.username), int(current_app.config["LOGIN_MAX_FAILURES"]), _lockout()
    )


def locks_of(staff: list[StaffMember]) -> dict[int, datetime | None]:
    """`locked_until` of every account in the list, in one query: staff id -> until (None: not held)."""
    scopes = {member.id: _account_scope(member.username) for member in staff}
    held = rate_limit.held_until_each(
        scopes.values(), int(current_app.config["LOGIN_MAX_FAILURES"]), _lockout()
    )
    return {staff_id: held[scope] for staff_id, scope in scopes.items()}


def _lockout() -> timedelta:
    value = current_app.config["LOGIN_LOCKOUT"]  # seconds when set in the environment
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))


def create_staff(
    *,
    username: str,
    full_name: str,
    password: str,
    roles: set[str] | list[str],
    speciality: str | None = None,
    district_id: int | None = None,
    room: str = "",
    phone: str = "",
) -> StaffMember:
    username = username.strip()
    if not USERNAME_PATTERN.match(username):
        raise AccountError(
            _l("A username has 2 to 80 Latin letters, digits, dots, dashes or underscores."),
            field="username",
        )
    if find_by_username(username):
        raise AccountError(_l("This username is already taken."), field="username")
    if not full_name.strip():
        raise AccountError(_l("Enter the full name."), field="full_name")
    roles = _checked_roles(roles)
    _check_doctor_fields(roles, speciality or None, district_id, staff_id=None)
    check_password_strength(password, username)
    staff = StaffMember(
        username=username,
        full_name=full_name.strip(),
        password_hash=hash_password(password),
        speciality=speciality or None,
        district_id=district_id,
        room=room.strip(),
        phone=phone.strip(),
        created_at=now(),
    )
    staff.role_rows = [StaffRole(role=role) for role in sorted(roles)]
    db.session.add(staff)
    db.session.flush()
    return staff


def update_staff(
    staff: StaffMember,
    *,
    actor: Actor,
    full_name: str,
    roles: set[str] | list[str],
    speciality: str | None,
    district_id: int | None,
    room: str,
    phone: str,
) -> str:
    """Change an account's details and roles; returns what changed, for the audit log."""
    roles = _checked_roles(roles)
    if actor.staff_id == staff.id and staff.has_role("admin") and "admin" not in roles:
        raise AccountError(
            _l("You cannot remove your own administrator role. Ask another administrator to do it."),
            field="roles",
        )
    if not full_name.strip():
        raise AccountError(_l("Enter the full name."), field="full_name")
    _check_doctor_fields(roles, speciality or None, district_id, staff_id=staff.id)
    before = _snapshot(staff)
    staff.full_name = full_name.strip()
    set_roles(staff, roles)
    staff.speciality = speciality or None
    staff.district_id = district_id
    staff.room = room.strip()
    staff.phone = phone.strip()
    db.session.flush()
    db.session.expire(staff, ["district"])  # district_id changed; reload the relationship from it
    return _describe_changes(before, _snapshot(staff))


def set_roles(staff: StaffMember, roles: set[str]) -> None:
    roles = _checked_roles(roles)
    keep = [row for row in staff.role_rows if row.role in roles]
    staff.role_rows = keep + [StaffRole(role=role) for role in sorted(roles - {row.role for row in keep})]


def set_active(staff: StaffMember, active: bool, *, actor: Actor) -> None:
    """Deactivated accounts cannot sign in, and any session they have ends at its next request."""
    if not active and actor.staff_id == staff.id:
        raise AccountError(_l("You cannot deactivate your own account."))
    if active and staff.district_id is not None and staff.has_role("doctor"):
        # Someone else may have taken the district while this account was inactive.
        _check_district_free(staff.district_id, staff_id=staff.id)
    staff.is_active_account = active
    if not active:
        end_sessions(staff)
    db.session.flush()


def end_sessions(staff: StaffMember) -> int:
    """Sign the staff member out on every computer and browser ("sign out everywhere"): their sessions are
    deleted on the server (app/sessions.py), so every copy of their cookie opens nothing any more. Returns
    how many sessions were open."""
    ended = db.session.execute(delete(WebSession).where(WebSession.staff_id == staff.id))
    return ended.rowcount


def open_sessions(staff: StaffMember) -> list[WebSession]:
    """The staff member's sessions, the most recently used first (the admin's page shows how many)."""
    return list(
        db.session.scalars(
            select(WebSession).where(WebSession.staff_id == staff.id).order_by(WebSession.seen_at.desc())
        )
    )


def unlock(staff: StaffMember) -> None:
    """Forget the account's failed sign-ins at every address (the admin's "unlock now")."""
    rate_limit.forget(_account_scope(staff.username))


def set_password(staff: StaffMember, password: str) -> None:
    check_password_strength(password, staff.username)
    staff.password_hash = hash_password(password)
    unlock(staff)


def authenticate(username: str, password: str, *, address: str) -> LoginOutcome:
    """Check a sign-in typed at `address` (the client's own address). Every failure looks the same: an
    unknown username, a deactivated account and a wrong password are counted and answered alike."""
    username = (username or "").strip()
    limits = _failure_limits(username, address)
    staff = find_by_username(username)
    staff_id = staff.id if staff else None
    try:
        rate_limit.check(*limits)
    except rate_limit.RateLimited as held:
        _hasher().hash(password or "x")  # the same cost as a real check: timing tells nothing either
        return LoginOutcome(staff=None, staff_id=staff_id, locked_until=now() + held.retry_after)
    if not _password_matches(staff, password):
        rate_limit.count(*limits)
        try:
            rate_limit.check(*limits)
        except rate_limit.RateLimited as held:
            log.warning("sign-in held for a username at one address after repeated failures")
            return LoginOutcome(staff=None, staff_id=staff_id, locked_until=now() + held.retry_after)
        return LoginOutcome(staff=None, staff_id=staff_id)
    if _hasher().check_needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
    rate_limit.forget(limits[0].scope, limits[0].key)  # this address's typos for this account are forgiven
    staff.last_login_at = now()
    return LoginOutcome(staff=staff, staff_id=staff.id)


def _password_matches(staff: StaffMember | None, password: str) -> bool:
    if staff is None or not staff.is_active:
        _hasher().hash(password or "x")  # same cost either way, so timing does not reveal usernames
        return False
    try:
        return _hasher().verify(staff.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _account_scope(username: str) -> str:
    """The rate-limit scope of one username's failures: one scope per account, so that the admin's unlock can
    forget them at every address, named by an HMAC so that the table keeps no username."""
    return "login:" + rate_limit.key_hash("staff_login", username.strip().lower())[:32]


def _failure_limits(username: str, address: str) -> tuple[rate_limit.Limit, rate_limit.Limit]:
    config = current_app.config
    window = _lockout()
    return (
        rate_limit.Limit(_account_scope(username), address or "-", int(config["LOGIN_MAX_FAILURES"]), window),
        rate_limit.Limit("login:address", address, int(config["LOGIN_MAX_FAILURES_PER_ADDRESS"]), window),
    )


# ---- rules shared by creation and editing ------------------------------------------------------------


def _checked_roles(roles) -> set[str]:
    roles = set(roles or ())
    if not roles or roles - set(ROLES):
        raise AccountError(_l("Choose at least one role."), field="roles")
    return roles


def _check_doctor_fields(roles: set[str], speciality: str | None, district_id: int | None, staff_id):
    if "doctor" not in roles:
        if speciality or district_id:
            raise AccountError(
                _l("Only doctors have a speciality and a district: clear them or give the doctor role."),
                field="speciality" if speciality else "district",
            )
        return
    if speciality is None:
        if district_id is not None:
            raise AccountError(_l("Choose the doctor's speciality."), field="speciality")
        return
    known = get_speciality(speciality)
    if known is None:
        raise AccountError(_l("Choose a speciality from the list."), field="speciality")
    if district_id is None:
        return
    district = db.session.get(District, district_id)
    if district is None:
        raise AccountError(_l("Choose a district from the list."), field="district")
    if known.district_kind is None:
        raise AccountError(
            _l("Only district doctors (therapist, paediatrician, general practitioner) serve a district."),
            field="district",
        )
    if known.district_kind != district.kind:
        raise AccountError(
            _l("District %(number)s is of another kind than this speciality.", number=district.number),
            field="district",
        )
    _check_district_free(district_id, staff_id=staff_id)


def _check_district_free(district_id: int, *, staff_id: int | None) -> None:
    """A district is served by one district doctor: the patients' home calls and bookings go to them."""
    query = (
        select(StaffMember)
        .join(StaffRole)
        .where(
            StaffMember.district_id == district_id,
            StaffMember.is_active_account.is_(True),
            StaffRole.role == "doctor",
        )
    )
    if staff_id is not None:
        query = query.where(StaffMember.id != staff_id)
    other = db.session.scalars(query).first()
    if other is not None:
        raise AccountError(
            _l(
                "District %(number)s is already served by %(name)s.",
                number=other.district.number if other.district else district_id,
                name=other.full_name,
            ),
            field="district",
        )


def _snapshot(staff: StaffMember) -> dict[str, str]:
    return {
        "full_name": staff.full_name,
        "roles": ",".join(sorted(staff.roles)),
        "speciality": staff.speciality or "",
        "district": str(staff.district.number) if staff.district else "",
        "room": staff.room,
        "phone": staff.phone,
    }


def _describe_changes(before: dict[str, str], after: dict[str, str]) -> str:
    return "; ".join(
        f"{name}: {before[name] or '-'} -> {after[name] or '-'}"
        for name in before
        if before[name] != after[name]
    )
