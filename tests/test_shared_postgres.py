"""Two real servers on one PostgreSQL database are one shop.

Events written through either instance (concurrently, from several threads) get unique,
per-writer increasing ids; each instance reads what the other wrote, and a page_info cursor
issued by one is followed on the other.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import API
from tests.pg import fresh_database, pg_available
from tests.server import running_server

pytestmark = pytest.mark.skipif(not pg_available(), reason="PostgreSQL is not reachable")

HEADERS = {"X-Shopify-Access-Token": "shpat_shared"}


def test_two_instances_on_one_postgres_database_are_one_shop() -> None:
    with (
        fresh_database() as url,
        running_server(url, "--seed", "none") as one,
        running_server(url, "--seed", "none") as two,
    ):

        def write(job: tuple[str, int]) -> list[int]:
            base, n = job
            ids = []
            with httpx.Client(base_url=base, timeout=30) as client:
                for k in range(10):
                    body = {
                        "subject_type": "Order",
                        "subject_id": n * 100 + k + 1,
                        "verb": "placed",
                    }
                    response = client.post("/_sandbox/events", json=body)
                    assert response.status_code == 201, response.text
                    ids.append(response.json()["events"][0]["id"])
            return ids

        jobs = [(one, n) if n % 2 else (two, n) for n in range(6)]
        with ThreadPoolExecutor(6) as pool:
            per_writer = list(pool.map(write, jobs))
        everything = [i for ids in per_writer for i in ids]
        assert len(set(everything)) == 60
        assert all(ids == sorted(ids) and len(set(ids)) == 10 for ids in per_writer)

        count = httpx.get(f"{two}{API}/events/count.json", headers=HEADERS).json()
        assert count == {"count": 60}
        first = httpx.get(f"{one}{API}/events.json", params={"limit": 25}, headers=HEADERS)
        seen = [e["id"] for e in first.json()["events"]]
        next_url = first.links["next"]["url"].replace(one, two)
        second = httpx.get(next_url, headers=HEADERS)
        assert second.status_code == 200
        seen += [e["id"] for e in second.json()["events"]]
        assert seen == sorted(everything)[:50]
