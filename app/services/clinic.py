"""The clinic profile and districts."""

from sqlalchemy import select

from app.extensions import db
from app.models import Clinic, District


def get_clinic() -> Clinic | None:
    return db.session.scalars(select(Clinic).order_by(Clinic.id).limit(1)).first()


def list_districts() -> list[District]:
    return list(db.session.scalars(select(District).order_by(District.number)))
