"""A private PostgreSQL server for tests that stop and restart their database.

The shared server on 5432 serves other test sessions and CI, so it is never restarted: this
one is a throwaway cluster (initdb into a temporary folder, its own port and socket folder)
run by the `postgres` OS user when the tests run as root, since initdb refuses root.
"""

import os
import pwd
import shutil
import subprocess
import tempfile
from glob import glob
from pathlib import Path

import psycopg2
import pytest

from tests.s3 import free_port


def server_binaries() -> Path | None:
    """The newest installed server's bin folder (Debian: /usr/lib/postgresql/<major>/bin)."""
    found = sorted(glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PrivatePostgres:
    def __init__(self, binaries: Path, root: Path, run_as: list[str]) -> None:
        self.binaries, self.root, self.run_as = binaries, root, run_as
        self.port = free_port()
        self.data = root / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/portal"
        self.pg_ctl("initdb", "-o", "-A trust -U postgres -E UTF8 --no-sync")
        self.start()
        self._execute("postgres", "CREATE DATABASE portal")

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.run_as, str(self.binaries / "pg_ctl"), "-D", str(self.data), *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        # fsync off: a test database need not survive a power cut, and 2 CPUs wait less.
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.pg_ctl("start", "-w", "-l", str(self.root / "server.log"), "-o", options)

    def stop(self) -> None:
        """A fast shutdown, as `pg_ctl restart -m fast` begins: open sessions are cut off."""
        self.pg_ctl("stop", "-w", "-m", "fast")

    def query(self, sql: str, *params) -> list[tuple]:
        """A fresh connection each time, so a query after a restart needs no reconnect logic."""
        with psycopg2.connect(self.url, connect_timeout=5) as conn, conn.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        conn.close()
        return rows

    def _execute(self, database: str, sql: str) -> None:
        conn = psycopg2.connect(self.url.rpartition("/")[0] + f"/{database}", connect_timeout=5)
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(sql)
        conn.close()


@pytest.fixture
def private_postgres():
    binaries = server_binaries()
    if binaries is None:
        pytest.skip("needs the PostgreSQL server binaries (initdb, pg_ctl) to run a private server")
    root = Path(tempfile.mkdtemp(prefix="portal-pg-"))  # not under pytest's root-only folder
    run_as: list[str] = []
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(root)
            pytest.skip("running as root, and initdb refuses root: needs a `postgres` OS user")
        os.chown(root, account.pw_uid, account.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    server = PrivatePostgres(binaries, root, run_as)
    try:
        yield server
    finally:
        subprocess.run(
            [*run_as, str(binaries / "pg_ctl"), "-D", str(server.data), "stop", "-m", "immediate"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)
