"""Health checks and logging (issue 15, item 3): /healthz is cheap and local, /healthz/deep is the admins'
look at everything outside; log lines carry the request id and the staff account id, never an IIN."""

import io
import json
import logging
import socket
import threading

import pytest
from flask import g
from flask_migrate import downgrade

from app import create_app
from app.config import PROJECT_ROOT
from app.ops import backup, logs


class CountingSocket:
    """A loopback port that counts the connections made to it and answers nothing."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stopping.is_set():
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self):
        self.stopping.set()
        self.thread.join(2)
        self.server.close()


@pytest.fixture
def counting_socket():
    counter = CountingSocket()
    yield counter
    counter.close()


def test_healthz_never_calls_the_registry(app, client, counting_socket):
    app.config.update(
        REGISTRY_BACKEND="http",
        REGISTRY_URL=f"http://127.0.0.1:{counting_socket.port}/api/registry/v1",
        REGISTRY_TOKEN="token",
        SMS_BACKEND="http",
        SMS_HTTP_URL=f"http://127.0.0.1:{counting_socket.port}/sms",
    )
    for _ in range(20):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.get_json()["database"] == "ok"
    assert counting_socket.connections == 0


def test_healthz_says_whether_the_migrations_are_current(installation):
    client = installation.test_client()
    body = client.get("/healthz").get_json()
    assert (body["status"], body["migrations"], body["schema"]) == ("ok", "current", backup.revisions().head)
    downgrade(directory=str(PROJECT_ROOT / "migrations"), revision=backup._history()[-2])
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["migrations"] == "not_current"


def test_deep_health_is_for_admins(client, login):
    assert client.get("/healthz/deep").status_code == 302
    login("registrar")
    assert client.get("/healthz/deep").status_code == 403


def test_deep_health_checks_registry_sms_and_disk(app, client, login, counting_socket):
    login("admin")
    body = client.get("/healthz/deep").get_json()
    assert body["registry"]["status"] == "ok"
    assert body["sms"] == {
        "backend": "outbox",
        "status": "ok",
        "queued": 0,
        "oldest_queued_minutes": 0,
        "failed_last_24h": 0,
    }
    assert body["disk"]["instance"]["free_mb"] > 0 and "backups" in body["disk"]

    # A gateway that takes connections is reachable; a closed port is not, and the report says so.
    app.config.update(SMS_BACKEND="http", SMS_HTTP_URL=f"http://127.0.0.1:{counting_socket.port}/sms")
    assert client.get("/healthz/deep").get_json()["sms"]["gateway"] == "ok"
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    app.config["SMS_HTTP_URL"] = f"http://127.0.0.1:{port}/sms"
    body = client.get("/healthz/deep").get_json()
    assert (body["sms"]["status"], body["sms"]["gateway"]) == ("unavailable", "unreachable")
    assert body["status"] == "degraded" and body["problems"] == ["sms"]


def test_every_response_carries_a_request_id(client):
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 16
    assert client.get("/healthz", headers={"X-Request-ID": "nginx-0123456789abcdef"}).headers[
        "X-Request-ID"
    ] == ("nginx-0123456789abcdef")
    refused = client.get("/healthz", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]
    assert refused != "<script>" and len(refused) == 16


def _one_line(app, config, *, staff=None) -> str:
    stream = io.StringIO()
    logger = logging.getLogger("emhana.test.logs")
    logger.propagate = False
    handler = logs.handler_for(config, stream)
    logger.addHandler(handler)
    try:
        with app.test_request_context("/"):
            g.request_id = "req-12345678"
            if staff is not None:
                g._login_user = staff
            logger.warning("booking %s refused", "AP-2026-000001")
    finally:
        logger.removeHandler(handler)
    return stream.getvalue().strip()


def test_a_log_line_names_the_request_and_the_staff_account(app, make_staff, monkeypatch):
    staff = make_staff("registrar1")
    monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    line = _one_line(app, {"LOG_FORMAT": "text"}, staff=staff)
    assert line.endswith(
        f"WARNING emhana.test.logs [req=req-12345678 user={staff.id}] booking AP-2026-000001 refused"
    )
    assert line[:4] == "2026" or line[:2] == "20"  # the time comes first outside the journal


def test_under_systemd_lines_carry_the_journal_level_and_no_time(app, monkeypatch):
    monkeypatch.setenv("JOURNAL_STREAM", "8:12345")
    line = _one_line(app, {"LOG_FORMAT": "text"})
    assert line == "<4>WARNING emhana.test.logs [req=req-12345678 user=-] booking AP-2026-000001 refused"


def test_json_logs_are_one_object_a_line(app, make_staff):
    staff = make_staff("registrar1")
    entry = json.loads(_one_line(app, {"LOG_FORMAT": "json"}, staff=staff))
    assert entry["level"] == "WARNING" and entry["message"] == "booking AP-2026-000001 refused"
    assert (entry["request_id"], entry["user_id"]) == ("req-12345678", str(staff.id))


def test_the_app_configures_the_root_logger_once(app, database_url, tmp_path):
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        for _ in range(2):
            create_app(
                {
                    "TESTING": True,
                    "LOG_CONFIGURE": True,
                    "SECRET_KEY": "x",
                    "SQLALCHEMY_DATABASE_URI": database_url,
                }
            )
        ours = [h for h in root.handlers if h.get_name() == "emhana"]
        assert len(ours) == 1
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
