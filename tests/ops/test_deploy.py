"""deploy/ agrees with the app: nginx lets the largest upload through and sets the proxy headers the app
trusts, gunicorn runs threaded workers, every timer starts a unit that exists and alerts when it fails."""

import re
import runpy

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


def test_every_timer_has_its_service_and_every_app_unit_alerts_on_failure():
    for timer in DEPLOY.glob("*.timer"):
        assert (DEPLOY / f"{timer.stem}.service").is_file(), timer.name
    for unit in DEPLOY.glob("emhana*.service"):
        text = unit.read_text()
        if "/.venv/bin/" in text:
            assert "OnFailure=emhana-alert@%n.service" in text, unit.name
            assert "UMask=0077" in text, unit.name
