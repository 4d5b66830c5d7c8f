"""`SandboxServer`: a real shop server on a free loopback port, for tests and scripts.

```python
from app.toolkit.server import SandboxServer

with SandboxServer() as shop:            # the documented example shop, on a fresh database
    shop.set_clock(now="2030-01-01T00:00:00Z")
    shop.inject({"subject_type": "Order", "subject_id": 1, "verb": "placed"})
    print(shop.client.get("events.json").json())
```
uvicorn runs in a background thread with the h11 protocol (which keeps header-name case, so
`shopify.Limits` can read `X-Shopify-Shop-Api-Call-Limit`). Each server owns a fresh SQLite
file in a temporary directory unless `database_url` is given.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import uvicorn

from app.config import Settings
from app.db import make_engine, open_session
from app.main import create_app
from app.seed import load_fixture
from app.versions import VersionWindow

DEFAULT_TOKEN = "shpat_sandbox"
STARTUP_TIMEOUT = 20.0


class SandboxServer:
    def __init__(
        self,
        fixture: str | None = "docs",
        *,
        token: str = DEFAULT_TOKEN,
        admin_token: str | None = None,
        database_url: str | None = None,
        version: str | None = None,
        **settings: Any,
    ) -> None:
        self.fixture = fixture
        self.token = token
        self.admin_token = admin_token
        self.version = version or VersionWindow.for_date(date.today()).newest_stable
        self._database_url = database_url
        self._settings = settings
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""
        self.client: httpx.Client = httpx.Client()
        self.control: httpx.Client = httpx.Client()

    # ---- lifecycle ---------------------------------------------------------------------

    def start(self) -> SandboxServer:
        url = self._database_url
        if url is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="sandbox-shop-")
            url = f"sqlite:///{Path(self._tmp.name) / 'shop.sqlite3'}"
        settings = Settings(
            database_url=url, seed="none", sandbox_admin_token=self.admin_token, **self._settings
        )
        engine = make_engine(url)
        app = create_app(settings, engine)
        if self.fixture is not None:
            with open_session(engine, settings) as session:
                load_fixture(session, self.fixture, settings.tz)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(
            app, http="h11", lifespan="on", log_level="warning", server_header=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.01)
        sock.close()  # uvicorn listens on its own duplicate
        self.base_url = f"http://127.0.0.1:{port}"
        self.client = httpx.Client(
            base_url=f"{self.api_url}/", headers={"X-Shopify-Access-Token": self.token}
        )
        admin = {"X-Sandbox-Admin-Token": self.admin_token} if self.admin_token else {}
        self.control = httpx.Client(base_url=f"{self.base_url}/_sandbox/", headers=admin)
        return self

    def stop(self) -> None:
        self.client.close()
        self.control.close()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        """`http://127.0.0.1:PORT/admin/api/VERSION`: the site for a Shopify client."""
        return f"{self.base_url}/admin/api/{self.version}"

    # ---- control API -------------------------------------------------------------------

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.control.request(method, path, json=body)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} /_sandbox/{path}: {response.status_code} {response.text}")
        return response.json()

    def reset(self, fixture: str | None = None) -> int:
        """Empty the shop, or reload a `seed/` fixture. Returns the number of events."""
        count: int = self._call("POST", "reset", {"fixture": fixture})["events"]
        return count

    def inject(self, events: dict[str, Any] | list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Write events as given (id and created_at optional). Returns them as the API shows."""
        created: list[dict[str, Any]] = self._call("POST", "events", events)["events"]
        return created

    def clock(self) -> dict[str, Any]:
        clock: dict[str, Any] = self._call("GET", "clock")["clock"]
        return clock

    def set_clock(
        self,
        now: str | None = None,
        *,
        mode: str | None = None,
        offset_seconds: float | None = None,
        advance_seconds: float | None = None,
    ) -> dict[str, Any]:
        """Freeze at `now`, run `offset_seconds` ahead, `advance_seconds`, or `mode="real"`."""
        body = {
            "now": now,
            "mode": mode,
            "offset_seconds": offset_seconds,
            "advance_seconds": advance_seconds,
        }
        clock: dict[str, Any] = self._call(
            "PUT", "clock", {k: v for k, v in body.items() if v is not None}
        )["clock"]
        return clock

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        return self.set_clock(advance_seconds=seconds)

    def config(self) -> dict[str, Any]:
        config: dict[str, Any] = self._call("GET", "config")["config"]
        return config

    def configure(self, **sections: Any) -> dict[str, Any]:
        """`PUT /_sandbox/config`: e.g. `configure(lag={"min_seconds": 2, "max_seconds": 5})`."""
        config: dict[str, Any] = self._call("PUT", "config", sections)["config"]
        return config

    def set_rate_limit(
        self, plan: str = "standard", *, bucket_size: int = 40, leak_rate: float = 2.0
    ) -> dict[str, Any]:
        limit = {"plan": plan, "bucket_size": bucket_size, "leak_rate": leak_rate}
        return self.configure(rate_limit=limit)

    def set_faults(
        self, rate: float, kinds: list[str] | None = None, *, seed: int | None = None
    ) -> dict[str, Any]:
        faults: dict[str, Any] = {"rate": rate}
        if kinds is not None:
            faults["kinds"] = kinds
        return self.configure(faults=faults, **({"seed": seed} if seed is not None else {}))

    def set_latency(
        self, ms: float, *, jitter_ms: float = 0, distribution: str = "fixed"
    ) -> dict[str, Any]:
        latency = {"ms": ms, "jitter_ms": jitter_ms, "distribution": distribution}
        return self.configure(latency=latency)

    def set_lag(self, min_seconds: float, max_seconds: float | None = None) -> dict[str, Any]:
        lag = {"min_seconds": min_seconds, "max_seconds": max_seconds or min_seconds}
        return self.configure(lag=lag)
