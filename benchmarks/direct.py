"""The direct path against its floor: ``python -m benchmarks.direct [--quick]``.

Four sides per workload, interleaved round by round in a rotating order, each timed
in process CPU time and wall time (medians of the rounds' medians):

- ``floor``: canned encoded answers at our ``Endpoint._send`` hook (the full path's floor);
- ``ours``: ``mock_sqs()``;
- ``callfloor``: canned parsed answers at ``before-call`` (botocore's own cost up to it);
- ``direct``: ``mock_sqs(direct=True)``.

The goal (issue 17): direct / callfloor <= 1.5 per call.
"""

from __future__ import annotations

import argparse
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


def compare(run: Runner, budget: Budget, size: int, sides: Sequence[str] = SIDES) -> dict[str, Timing]:
    """Time ``run`` on every side, one call batch per side per round, in a rotating order."""
    rounds: dict[str, list[Timing]] = {side: [] for side in sides}
    one_round = replace(budget, repeats=1)
    for number in range(budget.repeats):
        order = [*sides[number % len(sides) :], *sides[: number % len(sides)]]
        for side in order:
            rounds[side].append(run(side, one_round, size))
    return {side: combine(timings) for side, timings in rounds.items()}


def table(results: dict[str, dict[str, Timing]], *, cpu: bool) -> str:
    """µs per call by workload and side, with direct/callfloor, ours/floor and ours/direct."""
    header = f"{'workload':<22}" + "".join(f"{side:>11}" for side in SIDES)
    header += f"{'direct/callfloor':>18}{'ours/floor':>12}{'ours/direct':>13}"
    lines = [header]
    for name, timings in results.items():
        us = {side: timing.cpu_per_call_us if cpu else timing.per_call_us for side, timing in timings.items()}
        line = f"{name:<22}" + "".join(f"{us[side]:>11,.1f}" for side in SIDES)
        line += f"{us['direct'] / us['callfloor']:>17.2f}x{us['ours'] / us['floor']:>11.2f}x"
        line += f"{us['ours'] / us['direct']:>12.2f}x"
        lines.append(line)
    return "\n".join(lines)


def measure(budget: Budget, size: int) -> dict[str, dict[str, Timing]]:
    """Every workload on every side: SendMessage, and Receive+Delete with ``size`` queued."""
    return {
        "SendMessage": compare(workloads.send_message, budget, 0),
        f"Receive+Delete, {size:,}": compare(workloads.receive_delete, budget, size),
    }


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
    if args.smoke:
        budget = Budget(repeats=1, target_s=0.0, warmup=1)
    elif args.quick:
        budget = Budget(repeats=3, target_s=0.05, warmup=10)
    else:
        budget = Budget(repeats=7, target_s=0.3, warmup=50)
    size = 20 if args.smoke else QUEUED
    results = measure(budget, size)
    for cpu in (True, False):
        print(f"\n{'CPU' if cpu else 'Wall'} time, µs per call, median of {budget.repeats} interleaved rounds")
        print(table(results, cpu=cpu))
    print(f"\ngoal: direct/callfloor <= {GOAL}x (CPU)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
