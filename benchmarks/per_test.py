"""What one pytest test costs: the mock, a boto3 client and four calls, run by pytest itself.

Generated test modules run in this process with ``pytest.main``, one run per
variant and round:

- ``empty``: ``def test(): pass``, the baseline (pytest's own cost per test);
- ``floor``: no mock; the client's calls are answered by the canned responses
  of ``benchmarks/canned.py``, pushed once for the whole run;
- ``ours``: the ``sqs_mock`` fixture;
- ``moto``: a fixture around ``moto.mock_aws()``, as moto's documentation writes it.

Each test (but the empty one) creates ``boto3.client("sqs")`` and calls
CreateQueue, SendMessage, ReceiveMessage (asserting the body came back) and
DeleteMessage; a second set of runs leaves the calls out, so the mock's own
start and stop is measured as pytest pays it (fixture, hermetic environment,
teardown). A plugin notes the wall and process CPU clocks as each test's
protocol ends; the span from the end of the warm-up tests (the first tenth:
the default session's first client loads botocore's models) to the end of the
last one, over the tests in it, is one run's cost per test. Collection and
session start are outside the span. Every round runs every variant once, in
an order that rotates from round to round; within a round the empty run is
subtracted from each other run, and the table shows the median over rounds.
"""

from __future__ import annotations

import contextlib
import gc
import io
import itertools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Final
from unittest import mock

import boto3
import pytest

from benchmarks.canned import BODY, CannedSqs
from benchmarks.report import Row
from benchmarks.sides import REGION, plain_session
from benchmarks.timing import Timing
from pytest_sqsmock import environment
from pytest_sqsmock.mock import DEFAULT_ACCOUNT_ID
from pytest_sqsmock.transports import botocore_hook

CALLS: Final = "pytest test: mock + client + 4 calls"
BARE: Final = "pytest test: mock alone (start+stop)"
KEPT: Final = "pytest test: + 4 calls, moto keeps boto3's session"
SIZE: Final = "per test, net of empty"
_PLUGIN: Final = "sqsmock"  # the pytest11 entry point of pytest_sqsmock
_PREFIX: Final = "test_per_test_"
_RUNS: Final = itertools.count()

_BODY_OF_CALLS: Final = f"""
    client = boto3.client("sqs", region_name="{REGION}")
    url = client.create_queue(QueueName="per-test")["QueueUrl"]
    client.send_message(QueueUrl=url, MessageBody=BODY)
    received = client.receive_message(QueueUrl=url)["Messages"]
    assert received[0]["Body"] == BODY
    client.delete_message(QueueUrl=url, ReceiptHandle=received[0]["ReceiptHandle"])
"""
_MOTO_FIXTURE: Final = """
from moto import mock_aws


@pytest.fixture
def aws():
    with mock_aws({config}):
        yield
"""
# moto's setting that leaves boto3's default session alone (it replaces it on every start by default)
_KEEP_SESSION: Final = 'config={"core": {"reset_boto3_session": False}}'

# side -> (what the module imports or defines, the test's parameters)
_SHAPES: Final = {
    "empty": ("", ""),
    "floor": ("", ""),
    "ours": ("", "sqs_mock"),
    "moto": (_MOTO_FIXTURE, "aws"),  # formatted with moto's settings
}


@dataclass(frozen=True)
class Variant:
    """One generated module: a side, and the row it is measured for (``CALLS``, ``BARE`` or ``KEPT``)."""

    side: str  # empty, floor, ours or moto
    row: str

    @property
    def calls(self) -> bool:
        """Whether its tests create a client and make the four calls."""
        return self.row != BARE

    def source(self, tests: int) -> str:
        """The test module: ``tests`` identical tests."""
        header, parameters = _SHAPES[self.side]
        header = header.format(config=_KEEP_SESSION if self.row == KEPT else "")
        body = _BODY_OF_CALLS if self.calls and self.side != "empty" else "\n    pass\n"
        lines = ["import boto3", "import pytest", "", f"BODY = {BODY!r}", header]
        lines += [f"\ndef test_{index}({parameters}):{body}" for index in range(tests)]
        return "\n".join(lines)


@dataclass
class _Clock:
    """A pytest plugin: both clocks as each test's protocol (setup, call, teardown) ends."""

    marks: list[tuple[int, int]] = field(default_factory=list)

    def pytest_runtest_logfinish(self) -> None:
        self.marks.append((time.perf_counter_ns(), time.process_time_ns()))


def variants(sides: tuple[str, ...]) -> list[Variant]:
    """What one round runs, for the available ``sides`` (the empty baseline always)."""
    found = [Variant("empty", BARE)]
    found += [Variant(side, CALLS) for side in ("floor", "ours", "moto") if side in sides]
    found += [Variant(side, BARE) for side in ("ours", "moto") if side in sides]
    found += [Variant("moto", KEPT)] if "moto" in sides else []
    return found


def run_once(variant: Variant, tests: int) -> tuple[float, float]:
    """Run ``tests`` generated tests under pytest once: (wall µs, CPU µs) per test after the warm-up.

    Raises:
        RuntimeError: a generated test failed (its output is in the message).
    """
    clock = _Clock()
    with tempfile.TemporaryDirectory(prefix="per-test-") as directory, _isolated(variant):
        root = Path(directory)
        name = f"{_PREFIX}{variant.side}_{next(_RUNS)}"
        (root / f"{name}.py").write_text(variant.source(tests))
        (root / "pytest.ini").write_text(_ini())  # not the project's configuration
        args = [str(root), "-q", "-c", str(root / "pytest.ini"), "--rootdir", str(root), "-p", "no:cacheprovider"]
        args += _plugin_args(variant.side)
        output = io.StringIO()
        gc.collect()
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            code = pytest.main(args, plugins=[clock])
        sys.modules.pop(name, None)
    if code != 0 or len(clock.marks) != tests:
        raise RuntimeError(f"per-test run of {variant} failed (exit {code}):\n{output.getvalue()[-3000:]}")
    timed = _timed(tests)
    (wall_start, cpu_start), (wall_end, cpu_end) = clock.marks[-timed - 1], clock.marks[-1]
    return (wall_end - wall_start) / timed / 1000, (cpu_end - cpu_start) / timed / 1000


def measure(sides: tuple[str, ...], tests: dict[str, int], rounds: int, log: Any = None) -> list[Row]:
    """Every variant, ``rounds`` interleaved rounds: the per-test rows (their ``empty`` timing is the baseline).

    Args:
        sides: Which of floor, ours and moto to run (available ones only).
        tests: Tests per run, by side (``empty`` too); at least 2: the first tenth, at least one, is warm-up.
        rounds: Rounds; each runs every variant once, in a rotating order.
        log: Called with a progress line, if given.
    """
    order = variants(sides)
    gross: dict[Variant, list[tuple[float, float]]] = {variant: [] for variant in order}
    for number in range(rounds):
        shift = number % len(order)
        for variant in order[shift:] + order[:shift]:
            if log is not None:
                log(f"[{variant.side}] {variant.row}, round {number + 1}")
            gross[variant].append(run_once(variant, _count(tests, variant.side)))
    empty = gross[order[0]]
    baseline = _timing(empty, [(0.0, 0.0)] * rounds, _timed(_count(tests, "empty")))
    counts = ", ".join(f"{side} {_timed(_count(tests, side))}" for side in ("empty", *sides))
    note = (
        f"pytest.main x {rounds} rounds, timed tests per run: {counts}; empty test"
        f" {baseline.per_call_us:,.0f} µs wall, {baseline.cpu_per_call_us:,.0f} µs CPU"
    )
    notes = {CALLS: note, BARE: "floor: no mock to start", KEPT: "floor and ours: as above"}
    rows = {
        name: Row(name, SIZE, {"floor": None, "ours": None, "moto": None, "empty": baseline}, [notes[name]])
        for name in notes
    }
    for variant, samples in gross.items():
        if variant.side != "empty":
            rows[variant.row].timings[variant.side] = _timing(samples, empty, _timed(_count(tests, variant.side)))
    # Beside moto at its best, the same floor and ours as the first row (for the ratios).
    rows[KEPT].timings.update(floor=rows[CALLS].timings["floor"], ours=rows[CALLS].timings["ours"])
    return [row for row in rows.values() if row.timings["moto"] is not None or row.workload != KEPT]


def _count(tests: dict[str, int], side: str) -> int:
    return max(2, tests.get(side, 2))


def _timed(count: int) -> int:
    """Tests timed in a run of ``count`` (the first tenth, at least one, warms up)."""
    return count - max(1, count // 10)


def _timing(samples: list[tuple[float, float]], empty: list[tuple[float, float]], timed: int) -> Timing:
    """Per-test medians over rounds, each round's empty run subtracted (paired, against drift)."""
    wall = tuple(side[0] - base[0] for side, base in zip(samples, empty, strict=True))
    cpu = [side[1] - base[1] for side, base in zip(samples, empty, strict=True)]
    return Timing(statistics.median(wall), wall, timed, statistics.median(cpu))


@contextlib.contextmanager
def _isolated(variant: Variant) -> Iterator[None]:
    """The process as a user's test run would find it, restored afterwards.

    A hermetic AWS environment for every side (the fixture sets it again per
    test: that is part of its cost); a fresh default boto3 session, without
    moto's ``before-send`` handler unless moto is the side (a suite that does
    not use moto never imports it); the canned answers for the floor.
    """
    saved_path, saved_session = list(sys.path), boto3.DEFAULT_SESSION
    variables = environment.hermetic_variables(DEFAULT_ACCOUNT_ID, REGION)
    variables["PYTEST_ADDOPTS"] = None
    with mock.patch.dict(os.environ):
        for name, value in variables.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        boto3.DEFAULT_SESSION = boto3.session.Session() if variant.side == "moto" else plain_session()
        canned = CannedSqs() if variant.side == "floor" else None
        if canned is not None:
            botocore_hook.push(canned)
        try:
            yield
        finally:
            if canned is not None:
                botocore_hook.pop(canned)
            boto3.DEFAULT_SESSION = saved_session
            sys.path[:] = saved_path


def _ini() -> str:
    """An empty configuration, but for pytest-asyncio's warning about a setting it wants made."""
    if "asyncio" in _plugins():
        return "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
    return "[pytest]\n"


def _plugins() -> set[str]:
    return {entry.name for entry in metadata.entry_points(group="pytest11")}


def _plugin_args(side: str) -> list[str]:
    """pytest_sqsmock's plugin for ``ours`` only (its report hook is part of what it costs)."""
    installed = _PLUGIN in _plugins()
    if side != "ours":
        return ["-p", f"no:{_PLUGIN}"] if installed else []
    return [] if installed else ["-p", "pytest_sqsmock.plugin"]
