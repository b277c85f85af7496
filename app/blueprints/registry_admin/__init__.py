"""Admin pages of the embedded local registry, and the `flask registry-gateway` command."""

from flask import Blueprint

from app.registry_gateway import serve_gateway_command

# cli_group=None: the command is `flask registry-gateway`, not `flask registry_admin registry-gateway`.
bp = Blueprint("registry_admin", __name__, url_prefix="/admin/registry", cli_group=None)
bp.cli.add_command(serve_gateway_command)

from app.blueprints.registry_admin import views  # noqa: E402,F401
