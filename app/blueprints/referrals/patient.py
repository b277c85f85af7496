"""The public page of hospitalization referrals: how the referral is given. Nothing to fill in online; the
patient follows a referral on /status with its number."""

from app.blueprints.referrals import bp
from app.htmx import render_page


@bp.get("/")
def show_how_it_works():
    return render_page("referrals/how_it_works.html", None)
