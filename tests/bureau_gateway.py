"""A reference Hospitalization Bureau gateway on a real loopback socket (docs/bureau-gateway.openapi.yaml),
keeping its referrals in memory, with faults a test can switch on.

server = BureauServer.start()
server.give_date(ticket, "KZ-HB-1", "ГКБ №7", date(...))  # the Bureau's specialist answers
server.fault = "slow"        # or "server_error", "malformed", None
server.stop()                # the Bureau goes away: connections are refused from now on
"""

import json
import re
import threading
import time
from datetime import date

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

TOKEN = "test-bureau-token"
SLOW_SECONDS = 1.0
_IIN = re.compile(r"^\d{12}$")


class BureauServer:
    def __init__(self, token: str = TOKEN):
        self.token = token
        self.fault: str | None = None
        self.requests_seen = 0
        self.referrals: dict[str, dict] = {}  # ticket -> the referral as the API shows it
        self._by_number: dict[str, str] = {}
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}/api/bureau/v1"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.running = False

    @classmethod
    def start(cls, token: str = TOKEN) -> "BureauServer":
        server = cls(token)
        server._thread.start()
        server.running = True
        return server

    def stop(self) -> None:
        if not self.running:
            return
        self.running = False
        self.fault = None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def give_date(self, ticket: str, code: str, hospital: str, day: date) -> None:
        with self._lock:
            self.referrals[ticket].update(
                status="dated", referral_code=code, hospital=hospital, hospitalization_date=day.isoformat()
            )

    # -- the API -----------------------------------------------------------------------------------------
    def _wsgi(self, environ, start_response):
        with self._lock:
            self.requests_seen += 1
            fault = self.fault
        if fault == "slow":
            time.sleep(SLOW_SECONDS)
            return _reply(503, {"error": "unavailable"})(environ, start_response)
        if fault == "server_error":
            return _reply(503, {"error": "unavailable"})(environ, start_response)
        if fault == "malformed":
            return Response('{"ticket": "', 200, content_type="application/json")(environ, start_response)
        request = Request(environ)
        return self._route(request)(environ, start_response)

    def _route(self, request: Request) -> Response:
        prefix = "/api/bureau/v1"
        path = request.path[len(prefix) :] if request.path.startswith(prefix) else None
        if path == "/health" and request.method == "GET":
            return _reply(200, {"status": "ok"})
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _reply(401, {"error": "unauthorized"})
        if path == "/referrals" and request.method == "POST":
            return self._submit(request.get_json(silent=True))
        if path and path.startswith("/referrals/") and request.method == "GET":
            with self._lock:
                referral = self.referrals.get(path[len("/referrals/") :])
            return _reply(200, referral) if referral else _reply(404, {"error": "not_found"})
        return _reply(404, {"error": "no_such_route"})

    def _submit(self, body) -> Response:
        if not isinstance(body, dict):
            return _reply(422, {"error": "invalid", "detail": "not an object"})
        problems = [key for key in ("referral_number", "diagnosis_code", "profile") if not body.get(key)]
        if not _IIN.match(str(body.get("iin", ""))):
            problems.append("iin")
        if problems:
            return _reply(422, {"error": "invalid", "detail": ", ".join(problems)})
        with self._lock:
            ticket = self._by_number.get(body["referral_number"])
            if ticket is None:
                ticket = f"HB-{len(self._by_number) + 1:06d}"
                self._by_number[body["referral_number"]] = ticket
                self.referrals[ticket] = {
                    "ticket": ticket,
                    "status": "pending",
                    "source": "Бюро госпитализации",
                }
            return _reply(201, {"ticket": ticket, "source": "Бюро госпитализации"})


def _reply(status: int, body) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status, content_type="application/json")
