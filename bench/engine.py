"""Policy engine benchmark: decisions per second and per-decision latency.

    python -m bench.engine

Builds a seeded corpus (``bench/corpus.py``), compiles its policies, warms the
per-action memos with one pass, then measures the default corpus and one with ten
times the statements per principal:

* throughput: a plain loop over every request, timed as a whole;
* latency: ``perf_counter_ns`` around each decision, reported as p50 and p99.

Each is the best of ``PASSES`` passes, the usual way to keep other processes on
a shared machine from being counted as the engine's cost.

The last line is machine-readable and describes the default corpus.
"""

from __future__ import annotations

import gc
import sys
import time

from bench.corpus import build
from policies.engine import evaluate

PASSES = 3


def measure(label: str, scale: int) -> tuple[float, float, float]:
    # The corpus is millions of long-lived objects: collecting while building only
    # rescans them, and freezing them keeps the timed loops free of that work.
    gc.disable()
    started = time.perf_counter()
    corpus = build(scale=scale)
    pairs = list(zip(corpus.requests, corpus.sets))
    built = time.perf_counter() - started
    allowed = sum(
        1 for request, policies in pairs if evaluate(request, policies).allowed
    )  # warm-up
    gc.collect()
    gc.freeze()
    try:
        elapsed = min(_throughput(pairs) for _ in range(PASSES))
        latencies = min(
            (_latencies(pairs) for _ in range(PASSES)), key=lambda ls: ls[int(len(ls) * 0.99)]
        )
    finally:
        gc.unfreeze()
        gc.enable()

    n = len(latencies)
    p50 = latencies[n // 2] / 1000
    p99 = latencies[min(n - 1, int(n * 0.99))] / 1000
    rate = n / elapsed
    print(
        f"{label}: {corpus.principals} principals, {corpus.statements_per_principal:.1f} "
        "statements per principal, "
        f"{n} requests ({allowed / n:.0%} allowed), corpus built in {built:.1f}s"
    )
    print(f"  {rate:,.0f} decisions/s   p50 {p50:.1f} us   p99 {p99:.1f} us")
    return rate, p50, p99


def _throughput(pairs: list) -> float:
    start = time.perf_counter()
    for request, policies in pairs:
        evaluate(request, policies)
    return time.perf_counter() - start


def _latencies(pairs: list) -> list[int]:
    clock = time.perf_counter_ns
    latencies = []
    append = latencies.append
    for request, policies in pairs:
        t0 = clock()
        evaluate(request, policies)
        append(clock() - t0)
    latencies.sort()
    return latencies


def main() -> int:
    default = measure("default corpus", 1)
    large = measure("10x statements per principal", 10)
    print(f"  cost growth with 10x statements: {default[0] / large[0]:.2f}x time per decision")
    rate, p50, p99 = default
    print(f"decisions_per_second={rate:.0f} p50_us={p50:.1f} p99_us={p99:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
