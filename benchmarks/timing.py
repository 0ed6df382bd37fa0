"""Per-call timings: warm-up, calibration, several repeats, the median; latency percentiles."""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    """How long one call took.

    Attributes:
        per_call_us: The median over repeats of (repeat wall time / calls), in µs.
        samples_us: Each repeat's per-call wall time, in µs.
        calls: Calls per repeat.
        cpu_per_call_us: The same median in process CPU time: steadier than
            wall time when other processes compete for the CPUs.
        thread_cpu_per_call_us: The calling thread's own CPU time (median), where
            worker threads share the work (``None``: not measured).
    """

    per_call_us: float
    samples_us: tuple[float, ...]
    calls: int
    cpu_per_call_us: float
    thread_cpu_per_call_us: float | None = None

    @property
    def spread(self) -> float:
        """Slowest over fastest repeat (1.0 means perfectly stable)."""
        return max(self.samples_us) / min(self.samples_us)


@dataclass(frozen=True)
class Budget:
    """How hard to measure.

    Attributes:
        repeats: Timed repeats; the median is reported.
        target_s: Aim for this much wall time per repeat.
        warmup: Untimed calls first (imports, caches, lazy botocore loading).
    """

    repeats: int = 5
    target_s: float = 0.2
    warmup: int = 20


def measure(
    call: Callable[[], object],
    budget: Budget,
    *,
    max_calls: int = 1_000_000,
    prepare: Callable[[], None] | None = None,
    check: Callable[[object], None] | None = None,
) -> Timing:
    """Time ``call`` and return the median per-call time.

    Args:
        call: One operation (one iteration of the workload).
        budget: Repeats, time per repeat and warm-up.
        max_calls: Never run more than this many calls per repeat (for
            workloads that consume a finite queue).
        prepare: Run untimed before the warm-up and before each repeat
            (tops a queue back up, for instance).
        check: Given each warm-up result; raises if the workload does not
            do what it claims (an empty receive, say).
    """
    if prepare is not None:
        prepare()
    # Warm up for ``budget.warmup`` calls, or half a repeat's time if that is
    # shorter (moto at 10k messages takes a second per call); at least once.
    warmup = max(1, min(budget.warmup, max_calls))
    start = time.perf_counter_ns()
    done = 0
    while done < warmup:
        result = call()
        done += 1
        if check is not None:
            check(result)
        if time.perf_counter_ns() - start > budget.target_s * 0.5e9:
            break
    per_call_ns = max(1, (time.perf_counter_ns() - start) // done)
    calls = int(max(1, min(max_calls, budget.target_s * 1e9 // per_call_ns)))
    samples: list[float] = []
    cpu_samples: list[float] = []
    for _ in range(budget.repeats):
        if prepare is not None:
            prepare()
        gc.collect()
        cpu_start = time.process_time_ns()
        start = time.perf_counter_ns()
        for _ in range(calls):
            call()
        samples.append((time.perf_counter_ns() - start) / calls / 1000)
        cpu_samples.append((time.process_time_ns() - cpu_start) / calls / 1000)
    return Timing(
        statistics.median(samples),
        tuple(samples),
        calls,
        statistics.median(cpu_samples),
    )


def combine(rounds: list[Timing]) -> Timing:
    """One timing from several rounds of the same workload: the medians over the rounds' medians."""
    threads = [timing.thread_cpu_per_call_us for timing in rounds if timing.thread_cpu_per_call_us is not None]
    return Timing(
        statistics.median(timing.per_call_us for timing in rounds),
        tuple(sample for timing in rounds for sample in timing.samples_us),
        rounds[0].calls,
        statistics.median(timing.cpu_per_call_us for timing in rounds),
        statistics.median(threads) if threads else None,
    )


def time_once(call: Callable[[], object]) -> Timing:
    """One call, no warm-up: for operations too slow to repeat (moto's real long poll)."""
    cpu_start = time.process_time_ns()
    start = time.perf_counter_ns()
    call()
    elapsed_us = (time.perf_counter_ns() - start) / 1000
    return Timing(elapsed_us, (elapsed_us,), 1, (time.process_time_ns() - cpu_start) / 1000)


@dataclass(frozen=True)
class Latency:
    """Wall time from a change until a waiting long poll returns, over many repetitions.

    Attributes:
        samples_us: Every repetition, in µs, in the order measured.
        change_call_us: How long each change call itself took, in µs (the
            hand-off happens inside it; the rest of a sample is the waiting
            thread getting the GIL and finishing its call).
    """

    samples_us: tuple[float, ...]
    change_call_us: tuple[float, ...]

    @property
    def repetitions(self) -> int:
        """How many samples."""
        return len(self.samples_us)

    @property
    def median_us(self) -> float:
        """The median sample."""
        return statistics.median(self.samples_us)

    @property
    def p99_us(self) -> float:
        """The 99th percentile (nearest rank)."""
        return percentile(self.samples_us, 99)

    @property
    def max_us(self) -> float:
        """The slowest sample."""
        return max(self.samples_us)

    @property
    def change_call_median_us(self) -> float:
        """The median duration of the change call alone."""
        return statistics.median(self.change_call_us)


def percentile(samples: tuple[float, ...], rank: float) -> float:
    """The nearest-rank percentile: the smallest sample with ``rank`` % of samples at or below it."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(rank / 100 * len(ordered)) - 1)]
