"""Who performs a step: a staff member, the patient (or applicant) themselves, or the system.

A staff actor made by the web layer (app.auth.current_actor) also carries where the request came from, so
a service operation can write the audit entry itself, whichever channel (web, CLI, a retry) called it."""

from dataclasses import dataclass

from app.models import StaffMember


@dataclass(frozen=True)
class Actor:
    staff: StaffMember | None = None
    label: str = ""
    ip: str = ""  # where a staff action came from, for the audit log
    user_agent: str = ""

    @classmethod
    def of_staff(cls, staff: StaffMember, *, ip: str = "", user_agent: str = "") -> "Actor":
        return cls(staff=staff, label=staff.full_name, ip=ip, user_agent=user_agent)

    @classmethod
    def patient(cls) -> "Actor":
        return cls(label="patient")

    @classmethod
    def applicant(cls) -> "Actor":
        return cls(label="applicant")

    @classmethod
    def system(cls) -> "Actor":
        return cls(label="system")

    @property
    def staff_id(self) -> int | None:
        return self.staff.id if self.staff else None
