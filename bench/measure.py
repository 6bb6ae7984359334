"""How the benchmarks measure and print: milliseconds of a block, percentiles, statements counted.

Plain Python: it imports nothing of Django, so a script may import it before `django_start()`.
"""

import statistics
import time
from collections import Counter
from collections.abc import Iterable


class Stopwatch:
    """The time a block takes: `with Stopwatch() as watch: ...`, then `watch.seconds` or `watch.ms`."""

    def __enter__(self) -> "Stopwatch":
        self.seconds = 0.0
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exception) -> None:
        self.seconds = time.perf_counter() - self.started

    @property
    def ms(self) -> float:
        return self.seconds * 1000


class StatementCounter:
    """An execute wrapper (`connection.execute_wrapper(counter)`) that counts the statements run through it."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile of `values` (inclusive method: p50 of two values is their mean; of one, the value)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def latencies_line(times: list[float]) -> str:
    """p50, p95, p99 and the largest of `times` (milliseconds), as the benchmarks print them."""
    return (
        f"p50 {statistics.median(times):.2f}   p95 {percentile(times, 95):.2f}   p99 {percentile(times, 99):.2f}"
        f"   max {max(times):.2f}"
    )


def tally_line(values: Iterable[str]) -> str:
    """How often each value came, most often first (ties in the order they first came): `a 3, b 1`."""
    return ", ".join(f"{value} {count}" for value, count in Counter(values).most_common())
