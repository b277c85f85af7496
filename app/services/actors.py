"""Who performs a step: a staff member, the patient (or applicant) themselves, or the system."""

from dataclasses import dataclass

from app.models import StaffMember


@dataclass(frozen=True)
class Actor:
    staff: StaffMember | None = None
    label: str = ""

    @classmethod
    def of_staff(cls, staff: StaffMember) -> "Actor":
        return cls(staff=staff, label=staff.full_name)

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
