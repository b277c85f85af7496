"""The public page of urgent care: how to call the department, and 103 first. Nothing to fill in online."""

from app.blueprints.urgent_care import bp
from app.htmx import render_page
from app.services import urgent_care


@bp.app_context_processor
def _urgent_care_contact() -> dict:
    """The department's phone for the public passport page (app/templates/public/service.html)."""
    return {"urgent_care_phone": urgent_care.department_phone, "emergency_phone": urgent_care.emergency_phone}


@bp.get("/")
def show_how_to_call():
    return render_page("urgent_care/how_to_call.html", None)
