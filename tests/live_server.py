"""A real borgerchat server process on loopback, on SQLite or PostgreSQL, for crash tests and
benches (bench/ imports it from here)."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
POSTGRES_SERVER = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# Stop the server logging every message at INFO in benches and crash tests.
QUIET = {"BORGERCHAT_SERVER__LOG_LEVEL": "WARNING"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def bench_database(kind: str) -> Iterator[str]:
    """A fresh database URL for one bench run, dropped afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    name = f"borgerchat_bench_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_SERVER).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def start_server(
    database_url: str,
    extra_env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
    port: int | None = None,
) -> tuple[str, subprocess.Popen[bytes]]:
    """Migrate the database, start ``borgerchat serve`` and wait until it is ready."""
    env = {
        # State (the NLU model, the inbox's development key) outside the checkout, shared by
        # every server started here so the model is trained once.
        "BORGERCHAT_DATA_DIR": str(Path(tempfile.gettempdir()) / "borgerchat-live-server"),
        **os.environ,
        "DATABASE_URL": database_url,
        **(extra_env or {}),
    }
    cli = [sys.executable, "-m", "bot"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True, cwd=REPO)
    port = port or free_port()
    process = subprocess.Popen(
        [*cli, "serve", "--host", "127.0.0.1", "--port", str(port), *args],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode() if process.stderr else "died")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return base, process
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("server did not become ready in 60 s")
        time.sleep(0.2)


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_server(
    database_url: str,
    extra_env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
    port: int | None = None,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A server for the duration of the block."""
    base, process = start_server(database_url, extra_env, args, port)
    try:
        yield base, process
    finally:
        stop_server(process)
