"""The benchmark suite runs: every workload once, at tiny sizes. No timing assertions.

This directory has no ``__init__.py`` on purpose: as a package it would be
named ``benchmarks`` and shadow the suite it tests.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import botocore.session
import pytest

from benchmarks import threaded, views, workloads
from benchmarks.canned import floor_supported
from benchmarks.run import Config, Suite, main
from benchmarks.timing import Budget, Latency

WAKE_CASES = {(case.name, case.transport) for case in threaded.WAKE_CASES}


@pytest.mark.skipif(
    botocore.session.get_session().get_service_model("sqs").protocol != "json",
    reason="the floor side (benchmarks/canned.py) answers awsJson1_0 only; botocore < 1.34.90 speaks the query protocol",
)
def test_command_line_runs_floor_and_ours_and_writes_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not floor_supported():
        pytest.skip("the floor's canned answers need botocore >= 1.34.90 (awsJson1_0)")
    out = tmp_path / "bench.json"
    assert main(["--smoke", "--quiet", "--sides", "floor,ours", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "ours/floor" in printed
    assert "memory per queued 100-byte message" in printed
    document = json.loads(out.read_text())
    assert document["machine"]["cpu_count"] >= 1
    assert document["machine"]["packages"]["botocore"]
    assert document["settings"]["mode"] == "smoke"
    rows = {(row["workload"], row["size"]): row for row in document["rows"]}
    assert rows["SendMessage", ""]["sides"]["floor"]["calls"] >= 1
    for row in document["rows"]:
        assert row["sides"]["moto"] is None
        if not any("ours: skipped" in note for note in row["notes"]):
            assert row["sides"]["ours"]["calls"] >= 1, row
    assert {(memory["side"], memory["path"]) for memory in document["memory"]} == {
        ("ours", "model"),
        ("ours", "api"),
    }
    assert rows["run_until step, threaded consumer", "1 msg, 1 s visibility"]["sides"]["floor"] is None
    assert {(latency["case"], latency["transport"]) for latency in document["wake_latency"]} == WAKE_CASES
    for latency in document["wake_latency"]:
        assert len(latency["samples_us"]) == latency["repetitions"] == 3
    assert "wake latency" in printed


def test_only_the_threaded_consumers(capsys: pytest.CaptureFixture[str]) -> None:
    suite = Suite(dataclasses.replace(Config.smoke(), sides=("ours",), parts=("threads",)), verbose=False)
    suite.run()
    assert [row.workload for row in suite.rows] == ["run_until step, threaded consumer"]
    assert suite.rows[0].timings["ours"] is not None
    assert {(row.case, row.transport) for row in suite.latency} == WAKE_CASES
    assert suite.memory == []
    assert main(["--smoke", "--quiet", "--only", "threads", "--sides", "moto"]) == 0  # ours only: nothing to run
    assert "wake latency" not in capsys.readouterr().out


def test_wake_latency_percentiles() -> None:
    samples = tuple(float(value) for value in range(1, 201))
    assert Latency(samples, samples).p99_us == 198.0
    assert Latency(samples, samples).median_us == 100.5
    assert Latency((5.0,), (1.0,)).p99_us == 5.0


def test_moto_side_runs() -> None:
    pytest.importorskip("moto")
    suite = Suite(dataclasses.replace(Config.smoke(), sides=("moto",)), verbose=False)
    suite.run()
    for row in suite.rows:
        if row.workload == "long poll, empty queue":  # smoke skips moto's real, blocking wait
            continue
        if row.workload.startswith("FIFO") and not _knows_system_attribute_names():
            continue  # the workload asks for MessageSystemAttributeNames, unknown to query-era botocore
        assert row.timings["moto"] is not None, row
    assert {(memory.side, memory.path) for memory in suite.memory} == {
        ("moto", "model"),
        ("moto", "api"),
    }


def test_the_floor_has_no_mock_to_enter() -> None:
    with pytest.raises(workloads.Skipped, match="no mock to enter"):
        workloads.enter_leave("floor", Budget(repeats=1, target_s=0.0, warmup=1), 0)


def _knows_system_attribute_names() -> bool:
    import botocore.session

    shape = botocore.session.get_session().get_service_model("sqs").operation_model("ReceiveMessage").input_shape
    return shape is not None and "MessageSystemAttributeNames" in shape.members


def test_jumps_benchmark_runs_and_the_first_call_after_a_jump_finds_nothing_owed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from benchmarks import jumps

    row = jumps.measure("visibility", 40, rounds=1)
    assert set(row) == set(jumps.COLUMNS)
    assert row["longest lock hold"] > 0
    assert jumps.main(["--sizes", "20", "--rounds", "1"]) == 0
    assert "retention, 20 messages" in capsys.readouterr().out


def test_views_benchmark_reports_lock_holds_while_reading(capsys: pytest.CaptureFixture[str]) -> None:
    assert views.main(["--sizes", "300"]) == 0
    printed = capsys.readouterr().out
    rows = dict(line.split(" | ") for line in printed.splitlines()[2:])
    assert set(rows) >= {"queue()", "lock hold median: reading .messages", "lock hold longest: SendMessage"}
    # 300 messages are read in several holds of the lock, each measured.
    assert float(rows["lock hold median: reading .messages"].replace(",", "")) > 0
