"""The training centre's staff pages (service 14), /staff/training/: courses and cohorts, the commission's
decision, the documents due and late, preparing, handing over, suspension, paid duplicates, the accounting
journal; and the admin's switch. There is no patient side: the service is given at the provider only."""

from flask import Blueprint

desk_bp = Blueprint("desk_training", __name__, url_prefix="/staff/training")

from app.blueprints.training import desk  # noqa: E402,F401  (routes register on import)
