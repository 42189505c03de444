"""A MariaDB server and a Redis server of a test's own, on free ports of 127.0.0.1, that the
test may stop, kill and start again (outages) without touching anyone else's services.

MariaDB: ``mariadb-install-db`` into a fresh data directory, then ``mariadbd --no-defaults``
(no option file of the machine is read). As root the server runs as the ``mysql`` user,
so its directory (data, socket, pid) is made under the system's temporary directory and
given to that user; otherwise it runs as the current user. Redis: ``redis-server`` with
no persistence. Both are stopped and their directories removed by :meth:`close`.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def end(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
    """Send ``sig`` and wait for the exit (SIGKILL after ``timeout``); the exit code."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def missing_tools() -> list[str]:
    tools = {"mariadbd": "/usr/sbin/mariadbd", "mariadb-install-db": None, "redis-server": None}
    return [
        name
        for name, fallback in tools.items()
        if not shutil.which(name) and not (fallback and Path(fallback).exists())
    ]


class _Server:
    name = "server"

    def __init__(self, under: str | None = None) -> None:
        self.port = _free_port()
        self.process: subprocess.Popen | None = None
        self.directory = Path(tempfile.mkdtemp(prefix=f"teammoa-{self.name}-", dir=under))
        self.log_path = self.directory / f"{self.name}.log"
        self.outages: list[float] = []

    def command(self) -> list[str]:
        raise NotImplementedError

    def ready(self) -> bool:
        return _answers(self.port)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 60) -> None:
        assert not self.running, f"{self.name} is already running"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, cwd=self.directory
            )
        deadline = time.monotonic() + timeout
        while not self.ready():
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not answer within {timeout:g} s")
            time.sleep(0.05)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        """Stop the server (SIGTERM: its own clean shutdown; SIGKILL: a crash)."""
        if not self.running:
            return
        assert self.process is not None
        end(self.process, sig, timeout)
        # Its port must be free again before it can come back on it.
        deadline = time.monotonic() + 10
        while _answers(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)

    @contextlib.contextmanager
    def outage(self, seconds: float, sig: int = signal.SIGTERM):
        """Down for ``seconds`` (from the moment it stopped answering), then back."""
        self.stop(sig)
        started = time.monotonic()
        try:
            yield started
            remaining = seconds - (time.monotonic() - started)
            if remaining > 0:
                time.sleep(remaining)
        finally:
            if not self.running:
                self.start()
            self.outages.append(time.monotonic() - started)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


class MariaDB(_Server):
    name = "mariadb"

    def __init__(self) -> None:
        self.user = "mysql" if os.geteuid() == 0 else ""
        # $TMPDIR may sit below a directory only its owner can enter (nox's does).
        super().__init__("/tmp" if self.user else None)
        # The server's user must reach its directory (mkdtemp makes it 0700).
        self.directory.chmod(0o755)
        self.data = self.directory / "data"
        self.data.mkdir()
        if self.user:
            entry = pwd.getpwnam(self.user)
            for path in (self.directory, self.data):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        install = [
            shutil.which("mariadb-install-db") or "mariadb-install-db",
            "--no-defaults",
            f"--datadir={self.data}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            *([f"--user={self.user}"] if self.user else []),
            f"--tmpdir={self.directory}",
        ]
        result = subprocess.run(install, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode:
            raise RuntimeError(f"mariadb-install-db failed:\n{result.stdout}{result.stderr}")

    @property
    def url(self) -> str:
        return f"mysql://root@{HOST}:{self.port}"

    def command(self) -> list[str]:
        return [
            shutil.which("mariadbd") or "/usr/sbin/mariadbd",
            "--no-defaults",
            *([f"--user={self.user}"] if self.user else []),
            f"--datadir={self.data}",
            f"--port={self.port}",
            f"--bind-address={HOST}",
            f"--socket={self.directory / 'mysqld.sock'}",
            f"--pid-file={self.directory / 'mysqld.pid'}",
            f"--tmpdir={self.directory}",
            "--innodb-buffer-pool-size=64M",
            "--max-connections=300",
            "--skip-log-bin",
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_unicode_ci",
        ]

    def ready(self) -> bool:
        if not _answers(self.port):
            return False
        import MySQLdb

        try:
            MySQLdb.connect(host=HOST, port=self.port, user="root", connect_timeout=2).close()
        except MySQLdb.Error:
            return False
        return True

    def query(self, statement: str) -> list[tuple]:
        import MySQLdb

        connection = MySQLdb.connect(host=HOST, port=self.port, user="root", connect_timeout=5)
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement)
                return list(cursor.fetchall())
        finally:
            connection.close()


class Redis(_Server):
    name = "redis"

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}"

    def command(self) -> list[str]:
        return [
            shutil.which("redis-server") or "redis-server",
            "--bind",
            HOST,
            "--port",
            str(self.port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.directory),
        ]

    def client(self):
        import redis

        return redis.Redis(host=HOST, port=self.port, socket_timeout=5, socket_connect_timeout=5)
