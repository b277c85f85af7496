"""Write requirements/production.txt and requirements/development.txt: every package pinned, with hashes.

    .venv/bin/python scripts/lock.py        (make lock)

Neither pip-tools nor uv is installed in the project's venv, so the lock is taken from the venv itself, into
which `make lock` has just installed pyproject.toml's pins (`pip install -e '.[dev]'`): the production set is
everything pyproject's `dependencies` need, walked through each installed package's own requirements
(markers evaluated for this Python on Linux); the development set is what the `dev` extra adds. Each pin's
hashes are those of the files `pip download` fetches for it (wheels for this platform, else the source
archive), so `pip install --require-hashes` and the offline wheel folder (`make wheels`) take exactly these
files.
"""

import hashlib
import re
import subprocess
import sys
import tempfile
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "requirements"
HEADER = """# {what}: every package pinned, with the hashes of its files.
# Written by `make lock` (scripts/lock.py) from the project's venv; used by `make install-production`,
# `make wheels` and `make install-offline` (pip install --require-hashes -r {name}).
"""


def closure(roots: list[Requirement]) -> dict[str, str]:
    """{canonical name: installed version} of `roots` and all they need."""
    found: dict[str, str] = {}
    seen: set[tuple[str, tuple[str, ...]]] = set()
    pending: list[tuple[Requirement, set[str]]] = [(r, set(r.extras)) for r in roots]
    environment = default_environment()
    while pending:
        requirement, extras = pending.pop()
        name = canonicalize_name(requirement.name)
        try:
            distribution = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            sys.exit(f"{requirement.name} is not installed: `make lock` installs pyproject's pins first")
        key = (name, tuple(sorted(extras)))
        if key in seen:
            continue
        seen.add(key)
        found[name] = distribution.version
        for line in distribution.requires or []:
            needed = Requirement(line)
            wanted = (needed.marker.evaluate({**environment, "extra": e}) for e in extras or {""})
            if needed.marker and not any(wanted):
                continue
            pending.append((needed, set(needed.extras)))
    return found


def file_hashes(name: str, version: str, folder: Path) -> list[str]:
    target = folder / name
    target.mkdir()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            f"{name}=={version}",
            "-d",
            str(target),
        ],
        check=True,
    )
    return sorted(f"sha256:{hashlib.sha256(path.read_bytes()).hexdigest()}" for path in target.iterdir())


def write(path: Path, what: str, pins: dict[str, str], folder: Path, extra_lines: str = "") -> None:
    lines = [HEADER.format(what=what, name=f"requirements/{path.name}") + extra_lines]
    for name in sorted(pins):
        hashes = file_hashes(name, pins[name], folder)
        lines.append(f"{name}=={pins[name]} \\\n" + " \\\n".join(f"    --hash={h}" for h in hashes) + "\n")
    path.write_text("".join(lines))
    print(f"{path.relative_to(ROOT)}: {len(pins)} packages")


def main() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    production = closure([Requirement(r) for r in project["dependencies"]])
    everything = closure([Requirement(r) for r in project["optional-dependencies"]["dev"]])
    development = {n: v for n, v in everything.items() if n not in production}
    for name in list(production) + list(development):
        if not re.fullmatch(r"[a-z0-9-]+", name):
            sys.exit(f"unexpected package name {name!r}")
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        write(OUT / "production.txt", "What the clinic's server runs", production, Path(folder))
        write(
            OUT / "development.txt",
            "What the tests and tools add (with production.txt)",
            development,
            Path(folder),
            "-r production.txt\n",
        )


if __name__ == "__main__":
    main()
