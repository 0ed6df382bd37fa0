"""The direct path against its floor: ``python -m benchmarks.direct [--quick]``.

Four sides per workload, interleaved round by round in a rotating order, each timed
in process CPU time and wall time (medians of the rounds' medians):

- ``floor``: canned encoded answers at our ``Endpoint._send`` hook (the full path's floor);
- ``ours``: ``mock_sqs()``;
- ``callfloor``: canned parsed answers at ``before-call`` (botocore's own cost up to it);
- ``direct``: ``mock_sqs(direct=True)``.

Rounds are short and many: this VM's speed drifts by a tenth over seconds, so each
ratio is taken within a round (the sides one after another) and the median of those
per-round ratios is reported beside the medians of each side's times.

The goal (issue 17): direct / callfloor <= 1.5 per call.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from benchmarks import workloads
from benchmarks.canned import floor_supported
from benchmarks.timing import Budget, Timing, combine
from benchmarks.workloads import Runner

SIDES: Final = ("floor", "ours", "callfloor", "direct")
GOAL: Final = 1.5
QUEUED: Final = 1_000
FULL: Final = Budget(repeats=31, target_s=0.05, warmup=50)
QUICK: Final = Budget(repeats=7, target_s=0.03, warmup=10)
RATIOS: Final = (("direct", "callfloor"), ("ours", "floor"), ("ours", "direct"))

Rounds = dict[str, list[Timing]]
"""Each side's timing in every round, in round order."""


def compare(run: Runner, budget: Budget, size: int, sides: Sequence[str] = SIDES) -> Rounds:
    """Time ``run`` on every side, one call batch per side per round, in a rotating order."""
    rounds: Rounds = {side: [] for side in sides}
    one_round = replace(budget, repeats=1)
    for number in range(budget.repeats):
        order = [*sides[number % len(sides) :], *sides[: number % len(sides)]]
        for side in order:
            rounds[side].append(run(side, one_round, size))
    return rounds


def ratio(rounds: Rounds, top: str, bottom: str, *, cpu: bool) -> float:
    """The median over rounds of ``top``'s time over ``bottom``'s in the same round."""
    return statistics.median(
        mine.cpu_per_call_us / theirs.cpu_per_call_us if cpu else mine.per_call_us / theirs.per_call_us
        for mine, theirs in zip(rounds[top], rounds[bottom], strict=True)
    )


def table(results: dict[str, Rounds], *, cpu: bool) -> str:
    """µs per call by workload and side (medians), and direct/callfloor, ours/floor, ours/direct (paired)."""
    header = f"{'workload':<22}" + "".join(f"{side:>11}" for side in SIDES)
    header += f"{'direct/callfloor':>18}{'ours/floor':>12}{'ours/direct':>13}"
    lines = [header]
    for name, rounds in results.items():
        timings = {side: combine(each) for side, each in rounds.items()}
        us = {side: timing.cpu_per_call_us if cpu else timing.per_call_us for side, timing in timings.items()}
        line = f"{name:<22}" + "".join(f"{us[side]:>11,.1f}" for side in SIDES)
        widths = (17, 11, 12)
        line += "".join(
            f"{ratio(rounds, top, bottom, cpu=cpu):>{width}.2f}x"
            for (top, bottom), width in zip(RATIOS, widths, strict=True)
        )
        lines.append(line)
    return "\n".join(lines)


def measure(budget: Budget, size: int) -> dict[str, Rounds]:
    """Every workload on every side: SendMessage, and Receive+Delete with ``size`` queued."""
    return {
        "SendMessage": compare(workloads.send_message, budget, 0),
        f"Receive+Delete, {size:,}": compare(workloads.receive_delete, budget, size),
    }


def budget_for(suite: Budget) -> Budget:
    """The rounds for a suite's budget: many short ones (one, for a smoke run)."""
    if suite.repeats <= 1:
        return suite
    return QUICK if suite.target_s < FULL.target_s else FULL


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.direct", description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="few iterations (a few seconds)")
    mode.add_argument("--smoke", action="store_true", help="one call each: only proves it runs")
    args = parser.parse_args(argv)
    if not floor_supported():
        print("the floors need botocore >= 1.34.90 (awsJson1_0)", file=sys.stderr)
        return 1
    budget = Budget(repeats=1, target_s=0.0, warmup=1) if args.smoke else QUICK if args.quick else FULL
    size = 20 if args.smoke else QUEUED
    results = measure(budget, size)
    for cpu in (True, False):
        clock = "CPU" if cpu else "Wall"
        print(f"\n{clock} time, µs per call, median of {budget.repeats} interleaved rounds (ratios: per round)")
        print(table(results, cpu=cpu))
    print(f"\ngoal: direct/callfloor <= {GOAL}x (CPU)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
