"""Doctors' specialities: the fixed list a doctor's account chooses from, with Kazakh and Russian names.

District doctors (therapist, paediatrician, general practitioner) serve a district of the matching kind;
the other specialists see patients by referral or appointment and have no district.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Speciality:
    code: str
    name_kk: str
    name_ru: str
    district_kind: str | None = None  # the kind of district this speciality serves, if any


SPECIALITIES = (
    Speciality("therapist", "Учаскелік терапевт", "Участковый терапевт", "therapeutic"),
    Speciality("paediatrician", "Учаскелік педиатр", "Участковый педиатр", "paediatric"),
    Speciality("general_practitioner", "Жалпы практика дәрігері", "Врач общей практики", "gp"),
    Speciality("cardiologist", "Кардиолог", "Кардиолог"),
    Speciality("neurologist", "Невролог", "Невролог"),
    Speciality("surgeon", "Хирург", "Хирург"),
    Speciality("ophthalmologist", "Офтальмолог (көз дәрігері)", "Офтальмолог"),
    Speciality("otolaryngologist", "Оториноларинголог (ЛОР)", "Оториноларинголог (ЛОР)"),
    Speciality("gynaecologist", "Акушер-гинеколог", "Акушер-гинеколог"),
    Speciality("endocrinologist", "Эндокринолог", "Эндокринолог"),
    Speciality("dentist", "Стоматолог (тіс дәрігері)", "Стоматолог"),
)

_BY_CODE = {speciality.code: speciality for speciality in SPECIALITIES}


def get_speciality(code: str | None) -> Speciality | None:
    return _BY_CODE.get(code or "")


def is_known(code: str) -> bool:
    return code in _BY_CODE
