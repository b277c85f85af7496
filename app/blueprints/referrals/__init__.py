"""Hospitalization referrals (service 13): the public page on how a referral is given (`bp`, /referrals/: not
offered online), and the specialist's pages (`desk_bp`, /staff/referrals/: the review of the package, the
Bureau's answer, the hand-over and the talon, the list by status and hospital, the Bureau's queue)."""

from flask import Blueprint

bp = Blueprint("referrals", __name__, url_prefix="/referrals")
desk_bp = Blueprint("desk_referrals", __name__, url_prefix="/staff/referrals")

from app.blueprints.referrals import desk, patient  # noqa: E402,F401  (routes register on import)
