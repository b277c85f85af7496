"""The loopback cluster, built once for tests/cluster (scripts/cluster-test.sh runs it; skipped otherwise)."""

import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.cluster.harness import APP_PORTS, PRIMARY_PORT, PYTHON, ROOT, Cluster

PATIENTS = 310  # 200 for the race, 100 for the kill, the rest for the failover; the last signs in


def pytest_collection_modifyitems(config, items):
    if os.environ.get("EMHANA_CLUSTER_TEST"):
        return
    skip = pytest.mark.skip(reason="the loopback cluster runs in scripts/cluster-test.sh (make test-cluster)")
    for item in items:
        if "tests/cluster/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def cluster():
    folder = Path(os.environ.get("EMHANA_CLUSTER_DIR") or tempfile.mkdtemp(prefix="emhana-cluster-"))
    built = Cluster(folder)
    try:
        built.start_primary()
        built.start_standby()
        # The explicit deploy step, run by two hosts at once: the advisory lock lets one migrate.
        upgrades = [built.flask("upgrade") for _ in range(2)]
        for process in upgrades:
            assert process.wait(timeout=120) == 0, process.log_path.read_text()
        built.upgrade_outputs = [process.log_path.read_text() for process in upgrades]
        seeded = folder / "seeded.json"
        subprocess.run(
            [str(PYTHON), "-m", "tests.cluster.seed", str(seeded), str(PATIENTS)],
            cwd=ROOT,
            env=built.app_env(f"postgresql+psycopg://emhana@127.0.0.1:{PRIMARY_PORT}/emhana"),
            check=True,
            timeout=180,
        )
        built.data = json.loads(seeded.read_text())
        for port in APP_PORTS:
            built.start_app(port)
        for port in APP_PORTS:
            built.wait_until_serving(port)
        built.start_nginx()
        yield built
    finally:
        built.stop_all()
