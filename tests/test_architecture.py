"""The shape of the code (docs/architecture.md), read from the source: which layer may import which, one
package per service in the domain and on the web, no hidden cycles, no oversized files."""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
# The regulation services built so far: each has a domain package and a web package of the same name.
SERVICES = (
    "appointments",
    "home_visits",
    "attachment",
    "certificates",
    "complaints",
    "hiv_testing",
    "sick_leave",
)
SERVICE_ROOMS = ("__init__", "rules", "texts", "queries", "operations")
MAX_LINES = 600


def _modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def _imports(path: Path) -> list[tuple[str, ast.AST]]:
    """(imported module, node) for every import in the file, `from x import y` giving both x and x.y."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, node))
            found += [(f"{node.module}.{alias.name}", node) for alias in node.names]
    return found


def _imports_the_app(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return any(alias.name == "app" or alias.name.startswith("app.") for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or node.module == "app" or (node.module or "").startswith("app.")
    return False


def _relative(path: Path) -> str:
    return str(path.relative_to(APP.parent))


@pytest.mark.parametrize("layer", ["core", "models", "registries", "notify", "documents"])
def test_lower_layers_never_import_services_or_blueprints(layer):
    offenders = [
        f"{_relative(path)} imports {name}"
        for path in _modules(APP / layer)
        for name, _node in _imports(path)
        if name.startswith(("app.services", "app.blueprints"))
    ]
    assert offenders == []


def test_services_never_import_the_web():
    forbidden = ("app.blueprints", "flask.request", "flask.session", "app.auth", "app.patient_auth")
    offenders = [
        f"{_relative(path)} imports {name}"
        for path in _modules(APP / "services")
        for name, _node in _imports(path)
        if name.startswith(forbidden)
    ]
    assert offenders == []


def test_no_blueprint_imports_another_blueprint():
    offenders = []
    for package in sorted(
        p for p in (APP / "blueprints").iterdir() if p.is_dir() and p.name != "__pycache__"
    ):
        for path in _modules(package):
            for name, _node in _imports(path):
                if name.startswith("app.blueprints.") and not name.startswith(
                    f"app.blueprints.{package.name}"
                ):
                    offenders.append(f"{_relative(path)} imports {name}")
    assert offenders == []


def test_no_import_of_the_app_hides_inside_a_function():
    """An import of our own code inside a function usually hides a cycle; the layers make cycles impossible.
    (A third-party import may wait for the function that needs it, e.g. a dev-only tool in a CLI command.)"""
    offenders = []
    for path in _modules(APP):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if _imports_the_app(inner):
                        offenders.append(f"{_relative(path)}:{inner.lineno} in {node.name}()")
    assert offenders == []


def test_no_python_file_under_app_is_over_the_limit():
    oversized = {
        _relative(path): lines
        for path in _modules(APP)
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert oversized == {}


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_the_same_rooms(service):
    domain = APP / "services" / service
    web = APP / "blueprints" / service
    assert sorted(room for room in SERVICE_ROOMS if not (domain / f"{room}.py").exists()) == []
    assert sorted(room for room in ("__init__", "forms") if not (web / f"{room}.py").exists()) == []
    assert (web / "patient.py").exists() or (web / "desk.py").exists()
    assert (APP / "templates" / service).is_dir()
    assert (APP.parent / "tests" / service).is_dir()


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_is_used_through_its_face(service):
    """Outside its own package, a service is imported as `app.services.<service>`, never a room of it."""
    offenders = []
    own = APP / "services" / service
    for path in _modules(APP):
        if own in path.parents:
            continue
        for name, _node in _imports(path):
            if name.startswith(f"app.services.{service}.") and name.count(".") >= 3:
                room = name.split(".")[3]
                if room in SERVICE_ROOMS or (own / f"{room}.py").exists():
                    offenders.append(f"{_relative(path)} imports {name}")
    assert offenders == []
