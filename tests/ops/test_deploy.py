"""deploy/ agrees with the app: nginx lets the largest upload through and sets the proxy headers the app
trusts, gunicorn runs threaded workers (the app and the registry gateway), every timer starts a unit that
exists and alerts when it fails."""

import os
import re
import runpy
import shlex
import socket
import subprocess
import sys
import time

import requests

from app.config import PROJECT_ROOT, DefaultConfig

DEPLOY = PROJECT_ROOT / "deploy"


def test_nginx_takes_the_largest_upload_and_sets_one_proxy_hop():
    site = (DEPLOY / "nginx-emhana.conf").read_text()
    megabytes = int(re.search(r"client_max_body_size (\d+)m;", site).group(1))
    assert megabytes * 1024 * 1024 > DefaultConfig.MAX_CONTENT_LENGTH
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site  # replaced, never appended: one hop
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    assert "alias /opt/emhana/app/static/;" in site and (PROJECT_ROOT / "app" / "static").is_dir()
    assert "EMHANA_PROXY_HOPS=1" in (DEPLOY / "emhana.service").read_text()


def test_gunicorn_runs_two_threaded_workers_by_default(monkeypatch):
    for name in ("EMHANA_WORKERS", "EMHANA_THREADS", "EMHANA_BIND"):
        monkeypatch.delenv(name, raising=False)
    settings = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert (settings["worker_class"], settings["workers"], settings["threads"]) == ("gthread", 2, 4)
    assert settings["bind"].startswith("127.0.0.1:")
    assert settings["control_socket_disable"] is True  # the app and the gateway would share one socket path


def test_every_timer_has_its_service_and_every_app_unit_alerts_on_failure():
    for timer in DEPLOY.glob("*.timer"):
        assert (DEPLOY / f"{timer.stem}.service").is_file(), timer.name
    for unit in DEPLOY.glob("emhana*.service"):
        text = unit.read_text()
        if "/.venv/bin/" in text:
            assert "OnFailure=emhana-alert@%n.service" in text, unit.name
            assert "UMask=0077" in text, unit.name


def test_the_registry_gateway_unit_serves_its_entry_point_under_gunicorn(tmp_path):
    """The unit's own gunicorn command line (with a free port) loads registry_gateway_wsgi:app and answers."""
    unit = (DEPLOY / "emhana-registry-gateway.service").read_text()
    command = shlex.split(re.search(r"^ExecStart=(.+)$", unit, re.MULTILINE).group(1))
    assert command[0] == "/opt/emhana/.venv/bin/gunicorn" and command[-1] == "registry_gateway_wsgi:app"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    arguments = [a if not a.startswith("127.0.0.1:") else f"127.0.0.1:{port}" for a in command[1:]]
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}",
        "EMHANA_SECRET_KEY": "gateway-test",
        "REGISTRY_GATEWAY_TOKEN": "gateway-test-token",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *arguments],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}/api/registry/v1"
    try:
        for _ in range(100):  # the master listens at once, its worker answers once it has loaded the app
            try:
                refused = requests.get(f"{base}/persons/123", timeout=5)
                break
            except (requests.ConnectionError, requests.Timeout):
                assert server.poll() is None, server.stderr.read().decode()
                time.sleep(0.1)
        else:
            raise AssertionError("the gateway did not answer under gunicorn")
        assert refused.headers["Server"].startswith("gunicorn")
        assert (refused.status_code, refused.json()["error"]) == (401, "unauthorized")
        headers = {"Authorization": "Bearer gateway-test-token"}
        answer = requests.get(f"{base}/persons/123", headers=headers, timeout=5)
        assert (answer.status_code, answer.json()["error"]) == (400, "bad_request")
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stderr.close()
