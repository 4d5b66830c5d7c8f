"""Soak: the real server under steady mixed load for ten minutes (not part of CI).

    .venv/bin/python -m bench.soak                 # 600 s at 40 requests/s, fresh SQLite shop
    .venv/bin/python -m bench.soak --seconds 60 --rate 100 --database-url postgresql://...

Starts `shopify-events-mock serve` on a free loopback port, sends a fixed mix (events pages
followed through Link, counts, single events, product creates, updates and deletes) at a steady
rate from a few threads, samples the server's RSS every 10 s, and prints the request and error
counts, latency percentiles and RSS growth (from the end of a one-minute warm-up). Exits 1 when
any response was an error or RSS grew by 10 % or more after warm-up.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

API = "/admin/api/2026-10"
TOKEN = "shpat_soak"
WARMUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter[int] = Counter()
        self.errors: Counter[str] = Counter()
        self.latencies: list[float] = []

    def record(self, what: str, status: int, seconds: float, ok: bool) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.latencies.append(seconds)
            if not ok:
                self.errors[f"{what} {status}"] += 1


def one_request(
    client: httpx.Client, rng: random.Random, products: list[int], stats: Stats
) -> None:
    roll = rng.random()
    start = time.perf_counter()
    try:
        if roll < 0.35:
            what, response = "list", client.get(f"{API}/events.json?limit=50")
            nxt = response.links.get("next", {}).get("url")
            if nxt and response.status_code == 200:
                response = client.get(nxt)
            ok = response.status_code == 200
        elif roll < 0.55:
            what, response = "count", client.get(f"{API}/events/count.json?filter=Product")
            ok = response.status_code == 200
        elif roll < 0.65:
            what, response = "filter", client.get(f"{API}/events.json?verb=create&limit=10")
            ok = response.status_code == 200
        elif roll < 0.85 or not products:
            body: dict[str, dict[str, Any]] = {
                "product": {"title": f"soak {rng.random():.6f}", "vendor": "soak"}
            }
            what, response = "create", client.post(f"{API}/products.json", json=body)
            ok = response.status_code == 201
            if ok:
                products.append(response.json()["product"]["id"])
        elif roll < 0.93:
            pid = rng.choice(products)
            body = {"product": {"id": pid, "title": f"soak {rng.random():.6f}"}}
            what, response = "update", client.put(f"{API}/products/{pid}.json", json=body)
            ok = response.status_code in (200, 404)  # 404: another thread deleted it
        else:
            pid = products.pop(rng.randrange(len(products)))
            what, response = "delete", client.delete(f"{API}/products/{pid}.json")
            ok = response.status_code == 200
        status = response.status_code
    except httpx.HTTPError as exc:
        what, status, ok = f"transport {type(exc).__name__}", 0, False
    stats.record(what, status, time.perf_counter() - start, ok)


def drive(base: str, rate: float, deadline: float, seed: int, stats: Stats, threads: int) -> None:
    per_thread = rate / threads

    def worker(n: int) -> None:
        rng = random.Random(seed + n)
        products: list[int] = []
        interval = 1.0 / per_thread
        next_at = time.monotonic()
        with httpx.Client(base_url=base, headers={"X-Shopify-Access-Token": TOKEN}) as client:
            while (now := time.monotonic()) < deadline:
                if now < next_at:
                    time.sleep(next_at - now)
                next_at += interval
                one_request(client, rng, products, stats)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--rate", type=float, default=40, help="requests per second, in total")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="soak-"))
    url = args.database_url or f"sqlite:///{workdir / 'shop.sqlite3'}"
    port = free_port()
    cli = str(Path(sys.executable).with_name("shopify-events-mock"))
    env = {**os.environ, "ACCESS_TOKENS": TOKEN}
    log = (workdir / "server.log").open("wb")
    server = subprocess.Popen(
        [cli, "serve", "--port", str(port), "--database-url", url, "--seed", "docs", "--quiet"],
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            try:
                httpx.get(
                    f"{base}{API}/events/count.json", headers={"X-Shopify-Access-Token": TOKEN}
                )
                break
            except httpx.TransportError:
                time.sleep(0.05)
        stats = Stats()
        samples: list[tuple[float, int]] = []
        start = time.monotonic()
        deadline = start + args.seconds
        load = threading.Thread(
            target=drive, args=(base, args.rate, deadline, args.seed, stats, args.threads)
        )
        load.start()
        while load.is_alive():
            samples.append((time.monotonic() - start, rss_kib(server.pid)))
            print(f"  t={samples[-1][0]:5.0f}s rss={samples[-1][1] / 1024:7.1f} MiB "
                  f"requests={sum(stats.statuses.values())}", flush=True)  # fmt: skip
            load.join(timeout=10)
        samples.append((time.monotonic() - start, rss_kib(server.pid)))
    finally:
        server.terminate()
        server.wait(timeout=20)

    total = sum(stats.statuses.values())
    errors = sum(stats.errors.values())
    after_warmup = [kib for t, kib in samples if t >= min(WARMUP_SECONDS, args.seconds / 2)]
    base_rss = after_warmup[0] if after_warmup else samples[0][1]
    growth = (samples[-1][1] - base_rss) / base_rss * 100 if base_rss else 0.0
    lat = sorted(stats.latencies) or [0.0]
    print(f"soak: {args.seconds:.0f} s at {args.rate:.0f} req/s on {url}")
    print(f"requests: {total} ({total / args.seconds:.1f}/s), statuses {dict(stats.statuses)}")
    print(f"errors: {errors} {dict(stats.errors) if errors else ''}")
    print(
        f"latency ms: p50 {statistics.median(lat) * 1000:.1f}  "
        f"p95 {lat[int(len(lat) * 0.95) - 1] * 1000:.1f}  max {lat[-1] * 1000:.1f}"
    )
    print(
        f"rss MiB: start {samples[0][1] / 1024:.1f}  after warm-up {base_rss / 1024:.1f}  "
        f"end {samples[-1][1] / 1024:.1f}  max {max(k for _, k in samples) / 1024:.1f}  "
        f"growth after warm-up {growth:+.1f} %"
    )
    return 1 if errors or growth >= 10 else 0


if __name__ == "__main__":
    sys.exit(main())
