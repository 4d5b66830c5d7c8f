"""Run the real server (the `shopify-events-mock serve` command under uvicorn) for e2e tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(
    database_url: str, *args: str, env: dict[str, str] | None = None
) -> Iterator[str]:
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("shopify-events-mock")),
        "serve", "--port", str(port), "--database-url", database_url, "--quiet", *args,
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # a multi-worker server on a loaded 2-core machine
        while True:
            if process.poll() is not None:
                out = process.stdout.read().decode() if process.stdout else ""
                raise RuntimeError(f"server exited: {out}")
            try:
                httpx.get(f"{base}/admin/events/count.json", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
