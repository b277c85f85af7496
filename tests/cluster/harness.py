"""The loopback cluster of the real thing (scripts/cluster-test.sh, docs/scaling.md): a PostgreSQL primary
with a streaming standby made by pg_basebackup, two gunicorn instances of the app on two ports, and nginx in
front of both, each a child process of this one, with all its files in one folder.

Every process is started in its own session and noted in <folder>/pids (its process group), so whoever
cleans up (this module's stop_all(), or the shell script's trap when the test run itself was killed) can
end exactly these processes and nothing else. PostgreSQL refuses to run as root: as root, the clusters
belong to the `postgres` user.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
FLASK = ROOT / ".venv" / "bin" / "flask"

# The ports this test uses (25401-25412), below Linux's ephemeral range (32768-60999), so no outgoing
# connection of this machine can hold one of them when a server binds it; and the secret every app
# process shares.
PRIMARY_PORT = 25401
STANDBY_PORT = 25402
NGINX_PORT = 25410
APP_PORTS = (25411, 25412)
SECRET_KEY = "cluster-test-secret-key-not-for-production"


def pg_bin() -> Path:
    return sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda path: int(path.parent.name))[-1]


def nginx_bin() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


class Cluster:
    def __init__(self, folder: Path):
        self.folder = folder
        self.folder.chmod(0o755)
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        self.apps: dict[int, subprocess.Popen] = {}
        self.nginx: subprocess.Popen | None = None
        self.spawned: list[subprocess.Popen] = []
        self.database_url = (
            "postgresql+psycopg://emhana@/emhana?"
            f"host=127.0.0.1:{PRIMARY_PORT}&host=127.0.0.1:{STANDBY_PORT}"
            "&target_session_attrs=read-write&connect_timeout=3"
        )

    # ---- processes --------------------------------------------------------------------------------------
    def _note(self, process: subprocess.Popen) -> None:
        with open(self.folder / "pids", "a") as handle:
            handle.write(f"{process.pid}\n")

    def _spawn(self, command: list, log_name: str, env: dict | None = None) -> subprocess.Popen:
        log = open(self.folder / log_name, "ab")  # noqa: SIM115  (the child keeps it; closed at exit)
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self._note(process)
        self.spawned.append(process)
        return process

    def _run(self, command: list, log: Path | None = None, **options) -> subprocess.CompletedProcess:
        """Run a command to its end; if it fails, the error says what it printed (and the tail of `log`,
        the server's own log), so a failure in CI can be read from CI's output alone."""
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, **options)
        if result.returncode != 0:
            told = f"{' '.join(command)}\nexit {result.returncode}\n{result.stdout}{result.stderr}"
            if log is not None and log.exists():
                told += f"\n--- the end of {log.name} ---\n" + "\n".join(log.read_text().splitlines()[-40:])
            raise RuntimeError(told)
        return result

    # ---- PostgreSQL -------------------------------------------------------------------------------------
    def data_dir(self, name: str) -> Path:
        return self.folder / name

    def pg_log(self, name: str) -> Path:
        return self.folder / "pglogs" / f"{name}.log"

    def pg_ctl(self, name: str, *arguments: str) -> None:
        self._run(
            [*self.as_owner, str(pg_bin() / "pg_ctl"), "-D", str(self.data_dir(name)), *arguments],
            log=self.pg_log(name),
        )

    def _owned_folder(self, name: str) -> Path:
        """A folder PostgreSQL's user owns (as root: `postgres`), mode 0700 as initdb wants it."""
        path = self.folder / name
        path.mkdir(mode=0o700)
        if self.as_owner:
            shutil.chown(path, "postgres", "postgres")
        return path

    def start_primary(self) -> None:
        self._owned_folder("pglogs")
        data = self._owned_folder("primary")
        self._run(
            [*self.as_owner, str(pg_bin() / "initdb"), "-D", str(data), "-U", "emhana", "--auth=trust"]
            + ["-E", "UTF8", "--locale=C.UTF-8"]
        )
        self._start_postgres("primary", PRIMARY_PORT)
        self._run(
            [str(pg_bin() / "createdb"), "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U", "emhana", "emhana"]
        )

    def start_standby(self) -> None:
        """A streaming-replication hot standby of the primary: pg_basebackup -R writes standby.signal and
        primary_conninfo, so it starts following at once."""
        data = self._owned_folder("standby")
        self._run(
            [*self.as_owner, str(pg_bin() / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(PRIMARY_PORT)]
            + ["-U", "emhana", "-D", str(data), "-R", "-X", "stream", "--checkpoint=fast"]
        )
        self._start_postgres("standby", STANDBY_PORT)

    def _start_postgres(self, name: str, port: int) -> None:
        # Small shared buffers: two servers on a test machine, with a few MB of data between them.
        options = (
            f"-p {port} -k {self.data_dir(name)} -c listen_addresses=127.0.0.1 -c max_connections=200 "
            "-c shared_buffers=32MB -c wal_level=replica -c max_wal_senders=5 -c hot_standby=on "
            "-c fsync=off -c full_page_writes=on -c wal_keep_size=256MB"
        )
        try:
            self.pg_ctl(name, "-l", str(self.pg_log(name)), "-w", "-o", options, "start")
        except RuntimeError as first:
            # Once more after a pause: a server of this run that did not start is infrastructure, not the app
            # under test; a second failure stops the run with both accounts.
            time.sleep(2)
            try:
                self.pg_ctl(name, "-l", str(self.pg_log(name)), "-w", "-o", options, "start")
            except RuntimeError as second:
                raise RuntimeError(f"{first}\n\n--- and again ---\n{second}") from None

    def sql(self, port: int, statement: str) -> str:
        result = self._run(
            [str(pg_bin() / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "emhana", "-d", "emhana"]
            + ["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", statement]
        )
        return result.stdout.strip()

    def wait_for_standby_to_catch_up(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            behind = self.sql(
                PRIMARY_PORT,
                "SELECT coalesce(bool_or(replay_lsn < pg_current_wal_lsn()), true) FROM pg_stat_replication",
            )
            if behind == "f":
                return
            time.sleep(0.2)
        raise AssertionError("the standby did not catch up with the primary")

    # ---- the app ----------------------------------------------------------------------------------------
    def app_env(self, database_url: str | None = None) -> dict:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=database_url or self.database_url,
            SECRET_KEY=SECRET_KEY,
            EMHANA_HOSTS="2",
            EMHANA_PROXY_HOPS="1",
            EMHANA_LOG_LEVEL="WARNING",
            EMHANA_WORKERS="2",
            EMHANA_THREADS="4",
            PYTHONPATH=str(ROOT),
        )
        env.pop("TEST_DATABASE_URL", None)
        return env

    def flask(self, *arguments: str, database_url: str | None = None) -> subprocess.Popen:
        """`flask --app wsgi ...` as an administrator runs it, in the background (its output in a log)."""
        name = "flask-" + "-".join(arguments) + f"-{time.monotonic_ns()}.log"
        process = self._spawn([str(FLASK), "--app", "wsgi", *arguments], name, self.app_env(database_url))
        process.log_path = self.folder / name
        return process

    def start_app(self, port: int) -> None:
        env = self.app_env()
        env["EMHANA_BIND"] = f"127.0.0.1:{port}"
        self.apps[port] = self._spawn(
            [str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "wsgi:app"], f"app-{port}.log", env
        )

    def wait_until_serving(self, port: int, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise AssertionError(f"nothing serves on {port}: see {self.folder}")

    def kill_app(self, port: int) -> None:
        """SIGKILL the whole gunicorn (master and workers): a machine that dies, not a graceful stop."""
        process = self.apps.pop(port)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        self.spawned.remove(process)

    # ---- nginx ------------------------------------------------------------------------------------------
    def start_nginx(self) -> None:
        prefix = self.folder / "nginx"
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (prefix / sub).mkdir(parents=True, exist_ok=True)
        prefix.chmod(0o777)
        upstreams = "\n".join(
            f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in APP_PORTS
        )
        user = "user root;\n" if os.getuid() == 0 else ""
        (prefix / "nginx.conf").write_text(
            f"""{user}worker_processes 1;
error_log {prefix}/error.log warn;
pid {prefix}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream emhana {{
{upstreams}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{NGINX_PORT};
        client_max_body_size 26m;
        location / {{
            proxy_pass http://emhana;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-ID $request_id;
            # Only a request no app process received yet goes to the other one; a POST already sent is
            # never sent twice (nginx's default for non-idempotent requests): the user is told to retry.
            # Not http_503: the app answers 503 when the database is away, which every host shares;
            # counting it against a host would take them all out and show nginx's bare 502 instead.
            proxy_next_upstream error timeout;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
        }}
    }}
}}
"""
        )
        self.nginx = self._spawn(
            [nginx_bin(), "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
            "nginx.log",
        )
        self.wait_until_serving(NGINX_PORT, timeout=20)

    # ---- cleaning up ------------------------------------------------------------------------------------
    def stop_all(self) -> None:
        stop_noted(self.folder)
        for process in [*self.apps.values(), self.nginx, *self.spawned]:
            if process is not None:
                process.wait(timeout=30)


def stop_noted(folder: Path) -> None:
    """End every process group noted in <folder>/pids and every PostgreSQL cluster in the folder."""
    for name in ("standby", "primary"):
        data = folder / name
        if (data / "postmaster.pid").exists():
            as_owner = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
            subprocess.run(
                [*as_owner, str(pg_bin() / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                timeout=30,
            )
    pids = folder / "pids"
    if pids.exists():
        for line in pids.read_text().split():
            with contextlib.suppress(ProcessLookupError, PermissionError, ValueError):
                os.killpg(int(line), signal.SIGKILL)


if __name__ == "__main__":  # scripts/cluster-test.sh's trap: python -m tests.cluster.harness FOLDER
    import sys

    stop_noted(Path(sys.argv[1]))
