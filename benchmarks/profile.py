"""Profile our side: ``python -m benchmarks.profile [workload] [--size N] [--calls K]``.

Runs one workload against ``mock_sqs()`` under cProfile (or pyinstrument with
``--pyinstrument``) and prints where the time goes: totals per package
(botocore vs our layers) and the top functions by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks.canned import BODY
from benchmarks.sides import Side, open_side

_GROUPS = (
    ("pytest_sqsmock/wire/", "ours: wire"),
    ("pytest_sqsmock/service/", "ours: service"),
    ("pytest_sqsmock/model/", "ours: model"),
    ("pytest_sqsmock/transports/", "ours: transports"),
    ("pytest_sqsmock/", "ours: other (mock, views, clock)"),
    ("botocore/", "botocore"),
    ("dateutil/", "dateutil (botocore)"),
    ("urllib3/", "urllib3 (botocore)"),
    ("benchmarks/", "benchmark loop"),
)


def _workload(side: Side, name: str, size: int) -> Callable[[], Any]:
    client = side.client
    url = side.create_queue("bench")
    if name == "send":
        return lambda: client.send_message(QueueUrl=url, MessageBody=BODY)
    if name == "batch":
        entries = [{"Id": str(index), "MessageBody": BODY} for index in range(10)]
        return lambda: client.send_message_batch(QueueUrl=url, Entries=entries)
    if name == "receive-delete":
        side.prefill(url, size)

        def receive_delete() -> None:
            response = client.receive_message(QueueUrl=url)
            client.delete_message(QueueUrl=url, ReceiptHandle=response["Messages"][0]["ReceiptHandle"])

        return receive_delete
    raise SystemExit(f"unknown workload {name!r}: send, batch, receive-delete")


def group_totals(stats: pstats.Stats) -> dict[str, float]:
    """Own time (seconds) per package group."""
    totals: dict[str, float] = defaultdict(float)
    for (filename, _line, function), row in stats.stats.items():  # type: ignore[attr-defined]
        own = row[2]
        label = next((label for marker, label in _GROUPS if marker in filename), None)
        if label is None:
            label = f"builtin: {function}" if filename == "~" else "stdlib/other"
            if filename == "~" and "method" not in function and "built-in" not in function:
                label = "builtin"
        totals[label] += own
    return dict(totals)


Func = tuple[str, int, str]


def print_tree(
    stats: pstats.Stats,
    root: str,
    calls: int,
    *,
    depth: int = 6,
    min_share: float = 0.015,
) -> None:
    """The call tree under the first function whose name ends with ``root``, in µs per call.

    Edge times come from cProfile's caller/callee table, so a function called
    from several places shows only the share spent under each parent.
    """
    table: dict[Func, Any] = stats.stats  # type: ignore[attr-defined]
    callees: dict[Func, dict[Func, float]] = defaultdict(dict)
    for callee, (_cc, _nc, _tt, _ct, callers) in table.items():
        for caller, edge in callers.items():
            callees[caller][callee] = edge[3]
    start = next((func for func in table if f"{func[0]}:{func[2]}".endswith(root)), None)
    if start is None:
        print(f"no function {root!r} in the profile")
        return
    total = table[start][3]

    def show(func: Func, seconds: float, level: int, path: frozenset[Func]) -> None:
        name = f"{_short(func[0])}:{func[2]}"
        print(f"{seconds / calls * 1e6:9.1f} µs {seconds / total:6.1%}  {'  ' * level}{name}")
        if level >= depth:
            return
        children = sorted(callees.get(func, {}).items(), key=lambda item: -item[1])
        for child, child_seconds in children:
            if child_seconds >= min_share * total and child not in path:
                show(child, child_seconds, level + 1, path | {child})

    show(start, total, 0, frozenset({start}))


def _short(filename: str) -> str:
    for marker in ("site-packages/", "pytest_sqsmock/", "lib/python3"):
        if marker in filename:
            return (
                filename.split(marker, 1)[1]
                if marker != "pytest_sqsmock/"
                else "sqsmock/" + filename.split(marker, 1)[1]
            )
    return filename


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__.split("\n")[0])
    parser.add_argument("workload", nargs="?", default="send", help="send | batch | receive-delete")
    parser.add_argument("--size", type=int, default=1_000, help="messages queued (receive-delete)")
    parser.add_argument("--calls", type=int, default=2_000, help="profiled calls")
    parser.add_argument("--side", default="ours", help="ours (default) or floor, to compare")
    parser.add_argument("--top", type=int, default=0, help="also list this many functions by own time")
    parser.add_argument(
        "--root",
        default="botocore_hook.py:_send",
        help="tree root: the end of 'file:function' (our hook by default)",
    )
    parser.add_argument("--pyinstrument", action="store_true", help="a pyinstrument call tree instead")
    args = parser.parse_args(argv)
    with open_side(args.side) as side:
        call = _workload(side, args.workload, max(args.size, args.calls + 50))
        for _ in range(50):  # warm up botocore's lazy loading
            call()
        if args.pyinstrument:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0001)
            profiler.start()
            for _ in range(args.calls):
                call()
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
            return 0
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.calls):
            call()
        profile.disable()
    stats = pstats.Stats(profile, stream=sys.stdout)
    total = sum(group_totals(stats).values())
    print(f"{args.side} {args.workload}, {args.calls:,} calls: {total / args.calls * 1e6:,.0f} µs/call under cProfile")
    for label, seconds in sorted(group_totals(stats).items(), key=lambda item: -item[1])[:25]:
        print(f"  {seconds / args.calls * 1e6:8.1f} µs/call  {seconds / total:6.1%}  {label}")
    print(f"\ncall tree under {args.root} (µs per call under cProfile, share of the root)")
    print_tree(stats, args.root, args.calls)
    if args.top:
        stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
