"""The reference registry gateway on a real loopback socket, with faults a test can switch on.

server = GatewayServer.start(database_url)
server.fault = "slow"        # or "server_error", "malformed", "wrong_shape", "html_404", None
server.stop()                # the gateway goes away mid-run: connections are refused from now on
"""

import threading
import time

from werkzeug.serving import make_server

from app.registry_gateway import create_gateway_app

TOKEN = "test-gateway-token"
SLOW_SECONDS = 1.0  # well over the read timeout the slow-gateway test gives the adapter


class GatewayServer:
    def __init__(self, gateway_app):
        self.gateway_app = gateway_app
        self.fault: str | None = None
        self.faulty_requests_left: int | None = None  # None: every request; N: only the next N
        self.requests_seen = 0
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}/api/registry/v1"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.running = False

    @classmethod
    def start(cls, database_url: str, token: str = TOKEN) -> "GatewayServer":
        from app import _normalise_database_url

        gateway_app = create_gateway_app(
            {
                "SQLALCHEMY_DATABASE_URI": _normalise_database_url(database_url),
                "REGISTRY_GATEWAY_TOKEN": token,
            }
        )
        server = cls(gateway_app)
        server._thread.start()
        server.running = True
        return server

    def stop(self) -> None:
        if not self.running:
            return
        self.running = False
        with self._lock:
            self.fault = None  # requests still in flight finish quickly
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        with self.gateway_app.app_context():
            from app.extensions import db

            db.engine.dispose()

    def _wsgi(self, environ, start_response):
        with self._lock:
            self.requests_seen += 1
            fault = self.fault
            if fault and self.faulty_requests_left is not None:
                if self.faulty_requests_left <= 0:
                    fault = None
                else:
                    self.faulty_requests_left -= 1
        if fault == "slow":
            # The client has given up by the time this answers; a canned reply keeps the database out of it.
            time.sleep(SLOW_SECONDS)
            return _reply(start_response, "503 Service Unavailable", b'{"error": "unavailable"}')
        if fault == "server_error":
            return _reply(start_response, "503 Service Unavailable", b'{"error": "unavailable"}')
        elif fault == "malformed":
            return _reply(start_response, "200 OK", b'{"iin": "0000')
        elif fault == "wrong_shape":
            return _reply(start_response, "200 OK", b'{"hello": "world"}')
        elif fault == "html_404":
            return _reply(start_response, "404 Not Found", b"<html>nginx: not found</html>", "text/html")
        return self.gateway_app(environ, start_response)


def _reply(start_response, status: str, body: bytes, content_type: str = "application/json"):
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]
