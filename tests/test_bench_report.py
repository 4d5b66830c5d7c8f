"""The benchmark report's verdicts on the issue's targets (bench/run.py's `targets`).

The timings are the benchmark's business; what is checked here is only that each target is
judged from the figures it names, with its threshold, on synthetic runs.
"""

from __future__ import annotations

from typing import Any

import pytest

from bench import run as bench
from bench.run import Generated, Run

PAGE_1 = "list limit=50, page 1"
DEEP = "list limit=50, page 20,000"
FILTER = "list filter=Order&verb=placed"
FIELDS = "list fields=id,verb,created_at (deep)"


def _run(rps: float, p50: float = 4.0, p99: float = 9.0) -> Run:
    return Run(rps, p50, p99, 0)


def _result(**changes: Any) -> dict[str, Any]:
    """A run that meets every target; `changes` replaces parts of it."""
    result: dict[str, Any] = {
        "runs": {
            PAGE_1: _run(900),
            DEEP: _run(800),
            FILTER: _run(850),
            "count": _run(1000, p50=5.0),
            "count created_at window": _run(1000, p50=19.0),
        },
        "ceiling": {},
        "pairs": {
            (DEEP, PAGE_1): (_run(950), _run(1000)),
            (FILTER, PAGE_1): (_run(900), _run(1000)),
            (FIELDS, DEEP): (_run(860), _run(1000)),
        },
        "first_200_s": 0.7,
        "ceiling_first_200_s": 0.4,
        "peak_rss_mb": 83.0,
    }
    result["ceiling"] = {name: _run(1000, p99=8.0) for name in result["runs"]}
    result.update(changes)
    return result


def _verdicts(result: dict[str, Any], gen: Generated, elapsed_s: float = 300) -> dict[str, str]:
    lines = bench.targets(result, gen, elapsed_s)
    rows = [line.split(" | ") for line in lines if line.startswith("| ") and "---" not in line]
    return {cells[0].removeprefix("| "): cells[3].removesuffix(" |") for cells in rows[1:]}


def test_a_run_that_meets_every_target_is_judged_so() -> None:
    verdicts = _verdicts(_result(), Generated(25.0, 48.0))
    assert len(verdicts) == 10
    assert set(verdicts.values()) == {"yes"}, verdicts


@pytest.mark.parametrize(
    ("changes", "target"),
    [
        # page 20,000 at 0.74 of the ceiling
        ({"runs": {PAGE_1: _run(900), DEEP: _run(740)}}, "at any depth >= 0.75"),
        ({"runs": {PAGE_1: _run(900), DEEP: _run(800, p99=10.5)}}, "p99 <= 10 ms"),
        (
            {"pairs": {(DEEP, PAGE_1): (_run(1000), _run(895))}},  # page 20,000 11.7% faster
            "within 10% of each other",
        ),
        ({"pairs": {(FILTER, PAGE_1): (_run(849), _run(1000))}}, "within 15% of limit=50, page 1"),
        ({"runs": {"count": _run(1000, p50=20.5)}}, "every count p50"),
        ({"first_200_s": 1.05}, "first 200"),
        ({"peak_rss_mb": 201.0}, "RSS"),
    ],
)
def test_each_target_fails_past_its_threshold(changes: dict[str, Any], target: str) -> None:
    result = _result(**changes)
    verdicts = _verdicts(result, Generated(25.0, 48.0))
    failed = [name for name, verdict in verdicts.items() if verdict == "no"]
    assert len(failed) == 1 and target in failed[0], verdicts


def test_generate_and_the_run_length_are_judged_and_explained() -> None:
    lines = bench.targets(_result(), Generated(36.2, 67.0), elapsed_s=612)
    text = "\n".join(lines)
    assert "| 36.2 s | 67.0 CPU s: >= " in text
    verdicts = _verdicts(_result(), Generated(36.2, 67.0), elapsed_s=612)
    assert verdicts["generate 1,000,000 events <= 30 s"] == "no"
    assert verdicts["`make bench` under 10 minutes"] == "no"


def test_generate_of_another_size_is_not_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "EVENTS", 50_000)
    verdicts = _verdicts(_result(), Generated(4.4, 5.3))
    assert verdicts["generate 1,000,000 events <= 30 s"] == "n/a"
    assert "(50,000 events)" in "\n".join(bench.targets(_result(), Generated(4.4, 5.3), 60))


def _quantiles(latencies_ms: list[float]) -> tuple[float, ...]:
    """wrk's latency at every 0.1 % of the requests (bench/quantiles.lua), for these."""
    ordered = sorted(latencies_ms)
    n = len(ordered)
    return tuple(ordered[max(0, -(-k * n // 1000) - 1)] for k in range(1, 1001))


def test_combined_runs_take_the_percentiles_of_all_their_requests() -> None:
    # 2,000 requests at 4 ms with 20 at 30 ms (a p99 of 4 ms: 1% is 20 requests, the last
    # 20 are the 1% above it), and 2,000 at 6 ms with 40 at 50 ms (p99 50 ms).
    fast = [4.0] * 1_980 + [30.0] * 20
    slow = [6.0] * 1_960 + [50.0] * 40
    runs = [
        Run(1000, 4.0, 4.0, 0, 2_000, _quantiles(fast)),
        Run(900, 6.0, 50.0, 1, 2_000, _quantiles(slow)),
    ]
    both = bench.combined(runs)
    # Of the 4,000 requests, the slowest 40 (1%) are the 50 ms ones: the 3,960th is 30 ms.
    assert both.p99_ms == 30.0
    assert both.p50_ms == 6.0  # the 2,000th of 4,000: 1,980 at 4 ms, then the 6 ms ones
    assert (both.rps, both.errors, both.requests) == (950, 1, 4_000)
    # One run pooled alone is that run.
    one = bench.combined(runs[1:])
    assert (one.p50_ms, one.p99_ms) == (6.0, 50.0)


def test_combined_runs_weigh_each_run_by_its_requests() -> None:
    few_slow = Run(100, 20.0, 20.0, 0, 100, _quantiles([20.0] * 100))
    many_fast = Run(10_000, 2.0, 2.0, 0, 9_900, _quantiles([2.0] * 9_900))
    # 100 of 10,000 requests at 20 ms: exactly the slowest 1%, so the p99 is still 2 ms.
    assert bench.combined([few_slow, many_fast]).p99_ms == 2.0
    assert (
        bench.combined([Run(1, 1, 1, 0, 101, _quantiles([20.0] * 101)), many_fast]).p99_ms == 20.0
    )


def test_runs_without_quantiles_take_the_mean_p50_and_the_worst_p99() -> None:
    both = bench.combined([Run(1000, 4.0, 9.0, 0), Run(800, 6.0, 12.0, 2)])
    assert (both.rps, both.p50_ms, both.p99_ms, both.errors) == (900, 5.0, 12.0, 2)


def test_the_quantiles_line_of_wrks_output_is_read() -> None:
    values = ",".join(str(1000 + k) for k in range(1, 1001))
    out = f"  Latency Distribution\n     99%    1.99ms\nquantiles-us 1234 {values}\n"
    requests, quantiles = bench._quantiles(out)
    assert requests == 1234
    assert (len(quantiles), quantiles[0], quantiles[989], quantiles[-1]) == (1000, 1.001, 1.99, 2.0)
    assert bench._quantiles("no such line") == (0, ())
