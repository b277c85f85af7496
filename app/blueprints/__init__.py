"""Every blueprint of the app, registered from this one explicit list."""

from app.blueprints.admin import bp as admin_bp
from app.blueprints.auth import bp as auth_bp
from app.blueprints.public import bp as public_bp
from app.blueprints.staff import bp as staff_bp

BLUEPRINTS = (public_bp, auth_bp, staff_bp, admin_bp)
