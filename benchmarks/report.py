"""Results: the comparison table and the JSON file."""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.timing import Latency, Timing


@dataclass(frozen=True)
class Row:
    """One workload at one size: each side's timing (``None``: not run) and notes."""

    workload: str
    size: str
    timings: dict[str, Timing | None]
    notes: list[str] = field(default_factory=list)

    def us(self, side: str, *, cpu: bool = False) -> float | None:
        """Median per-call µs of one side (wall time, or CPU time), if it ran."""
        timing = self.timings.get(side)
        if timing is None:
            return None
        return timing.cpu_per_call_us if cpu else timing.per_call_us


@dataclass(frozen=True)
class MemoryRow:
    """Bytes per queued message for one side and path."""

    side: str
    path: str
    messages: int
    bytes_per_message: float
    queue: str = "standard"


@dataclass(frozen=True)
class LatencyRow:
    """How fast a waiting long poll wakes for one kind of change (ours only)."""

    case: str
    transport: str
    latency: Latency
    goal_median_us: float
    goal_p99_us: float

    def meets_goal(self) -> bool:
        """Whether the median and the p99 are both within the goal."""
        return self.latency.median_us <= self.goal_median_us and self.latency.p99_us <= self.goal_p99_us


def format_table(
    rows: list[Row], memory: list[MemoryRow], *, cpu: bool = False, latency: Sequence[LatencyRow] = ()
) -> str:
    """The side-by-side table: µs per call, ratios to the floor, moto over us; then wake latency and memory.

    Args:
        rows: The timed workloads.
        memory: Bytes per queued message.
        cpu: Show process CPU time per call instead of wall time (wake latency is always wall time).
        latency: Wake latency of long polls waiting in worker threads.
    """
    header = (
        "workload",
        "size",
        "floor µs",
        "ours µs",
        "ours/floor",
        "moto µs",
        "moto/floor",
        "moto/ours",
        "notes",
    )
    lines = [header]
    for row in rows:
        floor, ours, moto = (row.us(side, cpu=cpu) for side in ("floor", "ours", "moto"))
        lines.append(
            (
                row.workload,
                row.size,
                _us(floor),
                _us(ours),
                _ratio(ours, floor),
                _us(moto),
                _ratio(moto, floor),
                _ratio(moto, ours),
                "; ".join(row.notes),
            )
        )
    # The notes (the last column) trail each line unpadded.
    text = [
        aligned + ("  " + line[-1] if line[-1] else "")
        for aligned, line in zip(_aligned([line[:-1] for line in lines], left=2), lines, strict=True)
    ]
    text.insert(0, f"median {'CPU' if cpu else 'wall'} time per call")
    text.insert(2, "-" * len(text[1]))
    if latency:
        text += ["", *format_latency(latency)]
    if memory:
        text += ["", "memory per queued 100-byte message (tracemalloc)"]
        text += [
            f"  {m.side:<5} {m.queue:<8} {m.path:<6} {m.messages:>8,} msgs  {m.bytes_per_message:>8,.0f} B/msg"
            for m in memory
        ]
    return "\n".join(text)


def format_latency(latency: Sequence[LatencyRow]) -> list[str]:
    """Wake latency lines: median, p99 and max per case, each over the goal."""
    header = ("case", "poll via", "reps", "median µs", "p99 µs", "max µs", "call µs", "median/goal", "p99/goal")
    lines = [header]
    for row in latency:
        measured = row.latency
        lines.append(
            (
                row.case,
                row.transport,
                f"{measured.repetitions:,}",
                _us(measured.median_us),
                _us(measured.p99_us),
                _us(measured.max_us),
                _us(measured.change_call_median_us),
                _ratio(measured.median_us, row.goal_median_us),
                _ratio(measured.p99_us, row.goal_p99_us),
            )
        )
    text = _aligned(lines, left=2)
    goal = latency[0]
    met = sum(row.meets_goal() for row in latency)
    return [
        "wake latency: wall time from just before the change call until the waiting long poll returns"
        " (WaitTimeSeconds=20, in a worker thread)",
        "ours only: moto has no virtual clock and no hand-off to compare with",
        text[0],
        "-" * len(text[0]),
        *text[1:],
        f"goal: median <= {goal.goal_median_us:,.0f} µs, p99 <= {goal.goal_p99_us:,.0f} µs (met by {met} of {len(latency)});"
        " call µs: the change call alone (median), the hand-off happens inside it",
    ]


def _aligned(lines: Sequence[Sequence[str]], *, left: int) -> list[str]:
    """Columns padded to their widest cell: the first ``left`` to the left, the rest to the right."""
    widths = [max(len(line[column]) for line in lines) for column in range(len(lines[0]))]
    return [
        "  ".join(
            cell.rjust(width) if column >= left else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(line, widths, strict=True))
        )
        for line in lines
    ]


def _us(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def _ratio(value: float | None, base: float | None) -> str:
    if value is None or base is None or base == 0:
        return "—"
    return f"{value / base:,.1f}x" if value / base < 100 else f"{value / base:,.0f}x"


def machine_info() -> dict[str, Any]:
    """Where the numbers come from."""
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "load_average": _load_average(),
        "packages": {name: _version(name) for name in ("botocore", "boto3", "pytest-sqsmock", "moto", "pytest")},
    }


def format_machine() -> str:
    """One line naming the machine and the versions, as the README quotes them."""
    info = machine_info()
    packages = ", ".join(f"{name} {version}" for name, version in info["packages"].items() if version)
    cpu = info["cpu_model"] or info["processor"] or info["machine"]
    return f"{info['implementation']} {info['python']}, {packages}; {info['platform']}, {info['cpu_count']} x {cpu}"


def format_views(views: Mapping[int, Mapping[str, float]]) -> str:
    """What looking at a queue costs (``benchmarks.views``): CPU µs per figure, one column per queue size."""
    sizes = sorted(views)
    names = list(views[sizes[0]])
    header = ("figure", *(f"{size:,} msgs" for size in sizes))
    lines = [header, *((name, *(_us(views[size][name]) for size in sizes)) for name in names)]
    text = _aligned(lines, left=1)
    return "\n".join(
        ["views of one queue (ours): median CPU µs (benchmarks.views)", text[0], "-" * len(text[0]), *text[1:]]
    )


def format_jumps(jumps: Mapping[str, Mapping[str, float]]) -> str:
    """What a jump of virtual time costs and who pays (``benchmarks.jumps``): one row per case."""
    columns = list(next(iter(jumps.values())))
    header = ("case", *columns, "after/normal (service)", "after/normal (boto3)")
    lines = [header]
    for case, row in jumps.items():
        ratios = (
            f"{row[f'{via}: first call after'] / row[f'{via}: normal call']:.2f}x" for via in ("service", "boto3")
        )
        lines.append((case, *(_us(row[column]) for column in columns), *ratios))
    text = _aligned(lines, left=1)
    title = "time jumps (ours): median CPU µs (benchmarks.jumps); after/normal goal <= 2x"
    return "\n".join([title, text[0], "-" * len(text[0]), *text[1:]])


def _cpu_model() -> str | None:
    """The CPU's model name (Linux only; ``platform.processor()`` is often empty there)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _load_average() -> list[float] | None:
    try:
        return list(os.getloadavg())
    except (AttributeError, OSError):  # not on Windows
        return None


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def write_json(
    path: Path,
    rows: list[Row],
    memory: list[MemoryRow],
    settings: dict[str, Any],
    latency: Sequence[LatencyRow] = (),
    *,
    views: Mapping[int, Mapping[str, float]] | None = None,
    jumps: Mapping[str, Mapping[str, float]] | None = None,
    direct: Mapping[str, Any] | None = None,
) -> None:
    """Write every number, the run's settings and machine information.

    The per-test rows (``benchmarks.per_test``) are among ``rows``; their
    ``sides`` hold an ``empty`` timing too, the baseline subtracted from them.
    """
    document = {
        "machine": machine_info(),
        "settings": settings,
        "rows": [
            {
                "workload": row.workload,
                "size": row.size,
                "notes": row.notes,
                "sides": {side: None if timing is None else asdict(timing) for side, timing in row.timings.items()},
                "ratios": {
                    "ours_over_floor": _plain_ratio(row.us("ours"), row.us("floor")),
                    "moto_over_floor": _plain_ratio(row.us("moto"), row.us("floor")),
                    "moto_over_ours": _plain_ratio(row.us("moto"), row.us("ours")),
                    "ours_over_floor_cpu": _plain_ratio(row.us("ours", cpu=True), row.us("floor", cpu=True)),
                    "moto_over_floor_cpu": _plain_ratio(row.us("moto", cpu=True), row.us("floor", cpu=True)),
                    "moto_over_ours_cpu": _plain_ratio(row.us("moto", cpu=True), row.us("ours", cpu=True)),
                },
            }
            for row in rows
        ],
        "memory": [asdict(m) for m in memory],
        "wake_latency": [_latency_json(row) for row in latency],
        "views_cpu_us": {str(size): dict(figures) for size, figures in (views or {}).items()},
        "jumps_cpu_us": {case: dict(figures) for case, figures in (jumps or {}).items()},
        "direct": dict(direct or {}),
    }
    path.write_text(json.dumps(document, indent=2) + "\n")


def _plain_ratio(value: float | None, base: float | None) -> float | None:
    return None if value is None or base is None or base == 0 else value / base


def _latency_json(row: LatencyRow) -> dict[str, Any]:
    measured = row.latency
    return {
        "case": row.case,
        "transport": row.transport,
        "side": "ours",  # moto has no virtual clock and no hand-off to compare with
        "repetitions": measured.repetitions,
        "median_us": measured.median_us,
        "p99_us": measured.p99_us,
        "max_us": measured.max_us,
        "change_call_median_us": measured.change_call_median_us,
        "goal": {"median_us": row.goal_median_us, "p99_us": row.goal_p99_us, "met": row.meets_goal()},
        "ratios": {
            "median_over_goal": _plain_ratio(measured.median_us, row.goal_median_us),
            "p99_over_goal": _plain_ratio(measured.p99_us, row.goal_p99_us),
        },
        "samples_us": list(measured.samples_us),
        "change_call_us": list(measured.change_call_us),
    }
