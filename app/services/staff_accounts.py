"""Staff accounts: creation, password hashing (Argon2id), sign-in with lockout after repeated failures."""

import logging
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.models import StaffMember, StaffRole
from app.models.staff import ROLES
from app.services.clock import now

log = logging.getLogger(__name__)
_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class LoginOutcome:
    staff: StaffMember | None  # set only on success
    staff_id: int | None = None  # the account that was tried, if it exists (for the audit log)
    locked_until: datetime | None = None

    @property
    def lock_minutes(self) -> int:
        if not self.locked_until:
            return 0
        return max(1, int((self.locked_until - now()).total_seconds() // 60) + 1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            _l("The password must have at least %(count)s characters.", count=MIN_PASSWORD_LENGTH)
        )


def find_by_username(username: str) -> StaffMember | None:
    return db.session.scalars(
        select(StaffMember).where(func.lower(StaffMember.username) == username.strip().lower())
    ).first()


def create_staff(
    *,
    username: str,
    full_name: str,
    password: str,
    roles: set[str] | list[str],
    speciality: str | None = None,
    district_id: int | None = None,
    room: str = "",
) -> StaffMember:
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise AccountError(_l("Choose at least one role."))
    if find_by_username(username):
        raise AccountError(_l("This username is already taken."))
    check_password_strength(password)
    staff = StaffMember(
        username=username.strip(),
        full_name=full_name.strip(),
        password_hash=hash_password(password),
        speciality=speciality,
        district_id=district_id,
        room=room,
        created_at=now(),
    )
    staff.role_rows = [StaffRole(role=role) for role in sorted(set(roles))]
    db.session.add(staff)
    db.session.flush()
    return staff


def set_roles(staff: StaffMember, roles: set[str]) -> None:
    if not roles or set(roles) - set(ROLES):
        raise AccountError(_l("Choose at least one role."))
    keep = [row for row in staff.role_rows if row.role in roles]
    staff.role_rows = keep + [StaffRole(role=role) for role in sorted(roles - {row.role for row in keep})]


def set_password(staff: StaffMember, password: str) -> None:
    check_password_strength(password)
    staff.password_hash = hash_password(password)
    staff.failed_logins = 0
    staff.locked_until = None


def authenticate(username: str, password: str) -> LoginOutcome:
    staff = find_by_username(username or "")
    if staff is None or not staff.is_active:
        _hasher.hash(password or "x")  # same cost either way, so timing does not reveal usernames
        return LoginOutcome(staff=None, staff_id=staff.id if staff else None)
    moment = now()
    if staff.locked_until and staff.locked_until > moment:
        return LoginOutcome(staff=None, staff_id=staff.id, locked_until=staff.locked_until)
    try:
        _hasher.verify(staff.password_hash, password)
    except (VerificationError, InvalidHashError):
        staff.failed_logins += 1
        if staff.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            staff.locked_until = moment + current_app.config["LOGIN_LOCKOUT"]
            staff.failed_logins = 0
            log.warning("staff account %s locked after repeated failed sign-ins", staff.id)
            return LoginOutcome(staff=None, staff_id=staff.id, locked_until=staff.locked_until)
        return LoginOutcome(staff=None, staff_id=staff.id)
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
    staff.failed_logins = 0
    staff.locked_until = None
    staff.last_login_at = moment
    return LoginOutcome(staff=staff, staff_id=staff.id)
