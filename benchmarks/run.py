"""Run the suite: ``python -m benchmarks.run [--quick] [--json out.json] [--only threads]``.

Prints the table twice, in process CPU time and in wall time (median µs per
call for botocore's floor, pytest_sqsmock and moto; ratios to the floor; moto
over us), then how fast long polls waiting in worker threads wake (ours only),
then memory per queued message, then what looking at a queue costs
(``benchmarks.views``); the per-test rows (a pytest test with the
mock, a client and four calls, run by ``pytest.main``) sit in both tables.
Everything runs in this one process, and the
sides are interleaved: each round times every side once, in a rotating order,
and the floor is measured beside every queue size.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Final

from benchmarks import direct, jumps, per_test, threaded, views, workloads
from benchmarks.canned import floor_supported
from benchmarks.memory import QUEUE_KINDS, bytes_per_message
from benchmarks.memory import Path as FillPath
from benchmarks.report import (
    LatencyRow,
    MemoryRow,
    Row,
    format_jumps,
    format_machine,
    format_table,
    format_views,
    write_json,
)
from benchmarks.sides import SIDES, moto_available
from benchmarks.timing import Budget, Timing, combine
from benchmarks.workloads import Runner, Skipped

# What a run can be limited to (--only): the per-call table, threaded consumers, memory, views, pytest tests.
PARTS: Final = ("calls", "direct", "threads", "memory", "views", "jumps", "per-test")


@dataclass(frozen=True)
class Config:
    """Sizes and effort of one run (see ``full``, ``quick``, ``smoke``)."""

    budget: Budget
    queued: dict[str, tuple[int, ...]]  # Receive+Delete sizes per side
    fifo_queued: dict[str, tuple[int, ...]]
    moto_long_poll_s: int | None  # moto really blocks: cap its wait (None: skip)
    memory: dict[str, tuple[int, int]]  # side -> (messages via the model, via the API)
    wake_repetitions: int  # samples per wake-latency case
    per_test: dict[str, int]  # generated pytest tests per run, by side (moto's take ~0.1 s each)
    view_sizes: tuple[int, ...]  # queue sizes for benchmarks.views (ours only)
    jump_sizes: tuple[int, ...]  # messages a jump changes, for benchmarks.jumps (ours only)
    sides: tuple[str, ...] = SIDES
    parts: tuple[str, ...] = PARTS
    long_poll_s: int = 20

    @classmethod
    def full(cls) -> Config:
        """The numbers to report (a few minutes, mostly filling 1M messages)."""
        return cls(
            budget=Budget(repeats=5, target_s=0.2, warmup=20),
            queued={"ours": (1_000, 2_000, 100_000, 1_000_000), "moto": (1_000, 2_000, 10_000)},
            fifo_queued={"ours": (1_000, 100_000), "moto": (1_000,)},
            moto_long_poll_s=2,
            memory={"ours": (100_000, 5_000), "moto": (10_000, 500)},
            wake_repetitions=500,
            per_test={"empty": 100, "floor": 100, "ours": 100, "moto": 20},
            view_sizes=(1_000, 10_000, 100_000),
            jump_sizes=(1_000, 100_000),
        )

    @classmethod
    def quick(cls) -> Config:
        """Small sizes and few iterations: about 30 seconds on a 2-core machine."""
        return cls(
            budget=Budget(repeats=3, target_s=0.03, warmup=5),
            queued={"ours": (1_000, 10_000), "moto": (1_000,)},
            fifo_queued={"ours": (1_000,), "moto": (1_000,)},
            moto_long_poll_s=1,
            memory={"ours": (2_000, 200), "moto": (500, 100)},
            wake_repetitions=50,
            per_test={"empty": 20, "floor": 20, "ours": 20, "moto": 5},
            view_sizes=(1_000, 10_000),
            jump_sizes=(1_000, 10_000),
        )

    @classmethod
    def smoke(cls) -> Config:
        """Tiny sizes, one call each: proves every function runs (tests/benchmarks)."""
        return cls(
            budget=Budget(repeats=1, target_s=0.0, warmup=1),
            queued={"ours": (20,), "moto": (20,)},
            fifo_queued={"ours": (20,), "moto": (20,)},
            moto_long_poll_s=None,
            memory={"ours": (20, 5), "moto": (20, 5)},
            wake_repetitions=3,
            per_test=dict.fromkeys(("empty", "floor", "ours", "moto"), 2),
            view_sizes=(30,),
            jump_sizes=(20,),
        )


@dataclass
class Suite:
    """Runs the workloads of a ``Config`` and collects rows."""

    config: Config
    verbose: bool = True
    rows: list[Row] = field(default_factory=list)
    memory: list[MemoryRow] = field(default_factory=list)
    latency: list[LatencyRow] = field(default_factory=list)
    views: dict[int, dict[str, float]] = field(default_factory=dict)  # queue size -> figure -> CPU µs
    jumps: dict[str, dict[str, float]] = field(default_factory=dict)  # "kind, size" -> figure -> CPU µs
    direct: dict[str, direct.Rounds] = field(default_factory=dict)  # workload -> side -> timing per round

    def run(self) -> None:
        """Every workload of the configured parts: per-call timings, threaded consumers, memory."""
        if "calls" in self.config.parts:
            self._calls()
        if "direct" in self.config.parts and "ours" in self._sides() and floor_supported():
            self._log("[direct] the direct path beside its before-call floor")
            self.direct = direct.measure(direct.budget_for(self.config.budget), min(self.config.queued["ours"]))
        if "threads" in self.config.parts and "ours" in self._sides():
            self._threads()
        if "memory" in self.config.parts:
            self._memory()
        if "views" in self.config.parts and "ours" in self._sides():
            for size in self.config.view_sizes:
                self._log(f"[ours] views of a queue of {size:,} messages")
                self.views[size] = views.measure(size)
        if "jumps" in self.config.parts and "ours" in self._sides():
            for kind in jumps.KINDS:
                for size in self.config.jump_sizes:
                    self._log(f"[ours] a jump past {kind} of {size:,} messages")
                    rounds = max(1, self.config.budget.repeats)
                    self.jumps[f"{kind}, {size:,} messages"] = jumps.measure(kind, size, rounds)
        if "per-test" in self.config.parts:
            self.rows += per_test.measure(self._sides(), self.config.per_test, self.config.budget.repeats, self._log)

    def _calls(self) -> None:
        self._case("SendMessage", "", workloads.send_message, dict.fromkeys(SIDES, 0))
        self._case(
            "SendMessageBatch x10",
            "",
            workloads.send_message_batch,
            dict.fromkeys(SIDES, 0),
        )
        self._sized("Receive+Delete", workloads.receive_delete, self.config.queued)
        self._sized(
            "FIFO Receive+Delete, 1k groups",
            workloads.fifo_receive_delete,
            self.config.fifo_queued,
        )
        self._case(
            "visibility churn (receive, advance)",
            "1 msg",
            workloads.visibility_churn,
            dict.fromkeys(SIDES, 0),
        )
        moto_wait = self.config.moto_long_poll_s
        row = self._case(
            "long poll, empty queue",
            f"wait {self.config.long_poll_s} s",
            workloads.long_poll,
            {
                "floor": self.config.long_poll_s,
                "ours": self.config.long_poll_s,
                "moto": moto_wait,
            },
        )
        if moto_wait is not None and "moto" in self._sides():
            row.notes.append(f"moto: WaitTimeSeconds={moto_wait} (capped; it blocks for real), one call")
        self._case("enter+leave mock", "", workloads.enter_leave, {"ours": 0, "moto": 0})

    def _threads(self) -> None:
        """Ours only: moto has no virtual clock to drive and no hand-off to time."""
        row = self._case(
            "run_until step, threaded consumer",
            f"1 msg, {threaded.STEP_VISIBILITY_S} s visibility",
            threaded.run_until_step,
            {"ours": 0},
        )
        row.notes.append("per move of virtual time, the worker's receive included; moto: no virtual clock")
        timing = row.timings["ours"]
        if timing is not None and timing.thread_cpu_per_call_us is not None:
            row.notes.append(f"driving thread alone: {timing.thread_cpu_per_call_us:,.0f} µs CPU")
        for case in threaded.WAKE_CASES:
            repetitions = self.config.wake_repetitions
            self._log(f"[ours] wake latency: {case.name} ({case.transport}), {repetitions} times")
            started = time.perf_counter()
            latency = threaded.wake_latency(case, repetitions)
            self.latency.append(
                LatencyRow(case.name, case.transport, latency, threaded.GOAL_MEDIAN_US, threaded.GOAL_P99_US)
            )
            self._log(
                f"    median {latency.median_us:,.0f} µs, p99 {latency.p99_us:,.0f} µs"
                f" ({time.perf_counter() - started:.1f} s)"
            )

    def _memory(self) -> None:
        for side, (model_count, api_count) in self.config.memory.items():
            if side in self._sides():
                fills: tuple[tuple[FillPath, int], ...] = (
                    ("model", model_count),
                    ("api", api_count),
                )
                for queue, (path, count) in itertools.product(QUEUE_KINDS, fills):
                    self._log(f"[{side}] memory, {queue} queue via {path}, {count:,} messages")
                    started = time.perf_counter()
                    measured = bytes_per_message(side, count, path, queue)
                    self.memory.append(MemoryRow(side, path, count, measured, queue))
                    self._log(f"    {measured:,.0f} B/msg ({time.perf_counter() - started:.1f} s)")

    def flatness(self, *, cpu: bool) -> float | None:
        """Our Receive+Delete time at the largest size over the smallest (target ≤ 1.3), in CPU or wall time."""
        ours = [row.us("ours", cpu=cpu) for row in self.rows if row.workload == "Receive+Delete"]
        measured = [value for value in ours if value]
        return None if len(measured) < 2 else measured[-1] / measured[0]

    # -- internals ------------------------------------------------------------

    def _sides(self) -> tuple[str, ...]:
        available = {"floor": floor_supported(), "ours": True, "moto": moto_available()}
        return tuple(side for side in self.config.sides if available[side])

    def _sized(self, name: str, run: Runner, sizes: dict[str, tuple[int, ...]]) -> None:
        for size in sorted({size for side_sizes in sizes.values() for size in side_sizes}):
            by_side: dict[str, int | None] = {side: size if size in sizes.get(side, ()) else None for side in SIDES}
            by_side["floor"] = size  # measured beside every size, in the same rounds
            row = self._case(name, f"{size:,} queued", run, by_side)
            missing = [side for side in ("ours", "moto") if by_side[side] is None and side in self._sides()]
            if missing:
                row.notes.append(f"{'/'.join(missing)}: not run at this size")

    def _case(self, name: str, size_label: str, run: Runner, sizes: dict[str, int | None]) -> Row:
        """Time ``run`` on every side, interleaved: each round runs each side once, in a rotating order."""
        row = Row(name, size_label, dict.fromkeys(SIDES))
        sides = [side for side in SIDES if sizes.get(side) is not None and self._usable(side, row)]
        rounds: dict[str, list[Timing]] = {side: [] for side in sides}
        one_round = replace(self.config.budget, repeats=1)
        for number in range(self.config.budget.repeats):
            order = sides[number % len(sides) :] + sides[: number % len(sides)] if sides else []
            for side in order:
                if side not in rounds:
                    continue  # skipped in an earlier round
                self._log(f"[{side}] {name} {size_label}, round {number + 1}")
                try:
                    rounds[side].append(run(side, one_round, sizes[side] or 0))
                except Skipped as skipped:
                    row.notes.append(f"{side}: skipped, {skipped}")
                    del rounds[side]
        for side, timings in rounds.items():
            row.timings[side] = combine(timings)
            self._log(f"    [{side}] {row.us(side):,.1f} µs/call wall, {row.us(side, cpu=True):,.1f} µs CPU")
        self.rows.append(row)
        return row

    def _usable(self, side: str, row: Row) -> bool:
        if side in self._sides():
            return True
        if side == "moto" and "moto" in self.config.sides:
            row.notes.append("moto not installed")
        if side == "floor" and "floor" in self.config.sides:
            row.notes.append("floor needs botocore >= 1.34.90 (awsJson1_0)")
        return False

    def _log(self, text: str) -> None:
        if self.verbose:
            print(text, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="small sizes, few iterations (about 30 s)")
    mode.add_argument(
        "--smoke",
        action="store_true",
        help="tiny sizes, one call each: only proves it runs",
    )
    parser.add_argument(
        "--json",
        type=Path,
        metavar="PATH",
        help="also write every number to this JSON file",
    )
    parser.add_argument(
        "--sides",
        default=",".join(SIDES),
        help=f"comma-separated subset of {','.join(SIDES)}",
    )
    parser.add_argument("--cpu", action="store_true", help=argparse.SUPPRESS)  # both tables are always printed
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated subset of {','.join(PARTS)}"
        " (threads: wake latency and run_until steps, ours only; per-test: whole pytest tests)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    config = Config.smoke() if args.smoke else Config.quick() if args.quick else Config.full()
    sides = tuple(side.strip() for side in args.sides.split(",") if side.strip())
    unknown = set(sides) - set(SIDES)
    if unknown:
        parser.error(f"unknown sides {sorted(unknown)}; choose from {','.join(SIDES)}")
    parts = tuple(part.strip() for part in args.only.split(",") if part.strip())
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts {sorted(unknown)}; choose from {','.join(PARTS)}")
    config = replace(config, sides=sides, parts=parts)
    started = time.perf_counter()
    suite = Suite(config, verbose=not args.quiet)
    suite.run()
    # Both clocks, always: CPU time is what the contenders cost; wall time is what a test waits.
    for cpu in (True, False):
        print(f"\n{'CPU' if cpu else 'Wall'} time, median of {config.budget.repeats} interleaved rounds")
        print(format_table(suite.rows, [] if cpu else suite.memory, cpu=cpu, latency=[] if cpu else suite.latency))
        flat = suite.flatness(cpu=cpu)
        if flat is not None:
            clock = "CPU" if cpu else "wall"
            print(f"\nours Receive+Delete, largest vs smallest queue ({clock}): {flat:.2f}x (target <= 1.3x)")
    if suite.views:
        print("\n" + format_views(suite.views))
    if suite.jumps:
        print("\n" + format_jumps(suite.jumps))
    if suite.direct:
        for cpu in (True, False):
            clock = "CPU" if cpu else "Wall"
            print(
                f"\nthe direct path (benchmarks.direct), {clock} time, µs per call; goal direct/callfloor <= {direct.GOAL}x"
            )
            print(direct.table(suite.direct, cpu=cpu))
    command = " ".join(["python -m benchmarks.run", *(sys.argv[1:] if argv is None else argv)])
    print(f"\n{command}\n{format_machine()}")
    print(f"total {time.perf_counter() - started:.1f} s; {_load_note()}")
    if args.json is not None:
        settings = {
            "mode": "smoke" if args.smoke else "quick" if args.quick else "full",
            **asdict(config),
        }
        settings["receive_delete_flatness_cpu"] = suite.flatness(cpu=True)
        settings["receive_delete_flatness_wall"] = suite.flatness(cpu=False)
        direct_timings = {
            name: {
                **{side: asdict(combine(each)) for side, each in rounds.items()},
                **{f"{top}/{bottom}": direct.ratio(rounds, top, bottom, cpu=True) for top, bottom in direct.RATIOS},
            }
            for name, rounds in suite.direct.items()
        }
        write_json(
            args.json,
            suite.rows,
            suite.memory,
            settings,
            suite.latency,
            views=suite.views,
            jumps=suite.jumps,
            direct=direct_timings,
        )
        print(f"wrote {args.json}")
    return 0


def _load_note() -> str:
    cpus = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return f"{cpus} CPUs"
    warning = " (busy machine: wall times are inflated, compare the CPU table)" if load > 0.75 * cpus else ""
    return f"load average {load:.1f} on {cpus} CPUs{warning}"


if __name__ == "__main__":
    raise SystemExit(main())
