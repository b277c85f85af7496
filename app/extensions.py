"""Flask extensions, created once and bound to the app in create_app()."""

from flask import session
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from app.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()


class StaffLoginManager(LoginManager):
    """Flask-Login for staff accounts, with "strong" session protection applied to staff sessions only.

    Patients and visitors carry a session too (CSRF token, the patient's confirmed code), but no staff login.
    Flask-Login's strong mode would treat each of those as a hijacked login on every request: it rewrites the
    session and sends a cookie-deleting header with every response, protecting nothing.
    """

    def _session_protection_failed(self) -> bool:
        if "_user_id" not in session:
            return False
        return super()._session_protection_failed()


login_manager = StaffLoginManager()
