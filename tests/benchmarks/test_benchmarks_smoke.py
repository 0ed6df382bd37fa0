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

from benchmarks import workloads
from benchmarks.canned import floor_supported
from benchmarks.run import Config, Suite, main
from benchmarks.timing import Budget


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


def test_moto_side_runs() -> None:
    pytest.importorskip("moto")
    suite = Suite(dataclasses.replace(Config.smoke(), sides=("moto",)), verbose=False)
    suite.run()
    for row in suite.rows:
        if row.workload != "long poll, empty queue":  # smoke skips moto's real, blocking wait
            assert row.timings["moto"] is not None, row
    assert {(memory.side, memory.path) for memory in suite.memory} == {
        ("moto", "model"),
        ("moto", "api"),
    }


def test_the_floor_has_no_mock_to_enter() -> None:
    with pytest.raises(workloads.Skipped, match="no mock to enter"):
        workloads.enter_leave("floor", Budget(repeats=1, target_s=0.0, warmup=1), 0)
