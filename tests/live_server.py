"""The real server for end-to-end tests: `shopify-events-mock serve` in a child process.

`LiveServer` starts the installed command on a free loopback port (never 8000), waits until it
answers, and stops it (or `kill()`s it with SIGKILL, for crash tests).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests.pg import fresh_database
from tests.server import free_port

TOKEN = "shpat_live_token"
VERSION = "2026-10"
API = f"/admin/api/{VERSION}"
CLI = str(Path(sys.executable).with_name("shopify-events-mock"))


class LiveServer:
    def __init__(
        self,
        database_url: str,
        *,
        seed: str = "docs",
        env: dict[str, str] | None = None,
        log: Path | None = None,
    ) -> None:
        self.database_url = database_url
        self.seed = seed
        self.extra_env = env or {}
        self.log = log
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> LiveServer:
        self.port = free_port()
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("HOST", "PORT", "DATABASE_URL", "SEED", "ACCESS_TOKENS")
        }
        env.update(self.extra_env)
        out = self.log.open("ab") if self.log else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [
                CLI,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--database-url",
                self.database_url,
                "--seed",
                self.seed,
                "--quiet",
            ],
            env=env,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}")
            try:
                httpx.get(f"{self.base_url}/admin/api/{VERSION}/events/count.json", timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("server did not start")

    def client(self, **kwargs: Any) -> httpx.Client:
        headers = {"X-Shopify-Access-Token": TOKEN, **kwargs.pop("headers", {})}
        kwargs.setdefault("timeout", 30)
        return httpx.Client(base_url=self.base_url, headers=headers, **kwargs)

    def alive(self) -> bool:
        with self.client() as client:
            return client.get(f"{API}/events/count.json").status_code == 200

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flush; what a crash looks like."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


# A fresh PostgreSQL database per use (shared server: never the `test` database itself).
pg_database = fresh_database
