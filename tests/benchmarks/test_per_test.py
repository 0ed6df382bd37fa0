"""The per-test benchmark runs generated pytest tests in this process, at tiny sizes. No timing assertions."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import boto3
import pytest

from benchmarks import per_test
from benchmarks.canned import floor_supported
from benchmarks.run import main


def test_a_failing_generated_test_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(per_test, "_BODY_OF_CALLS", "\n    assert BODY == 'something else'\n")
    with pytest.raises(RuntimeError, match=r"per-test run of .*ours.* failed \(exit 1\)"):
        per_test.run_once(per_test.Variant("ours", per_test.CALLS), 2)


def test_the_generated_tests_make_the_four_calls() -> None:
    source = per_test.Variant("ours", per_test.CALLS).source(2)
    assert source.count("def test_") == 2
    assert "(sqs_mock):" in source
    for call in ("create_queue", "send_message", "receive_message", "delete_message"):
        assert f"client.{call}(" in source
    assert "mock_aws()" in per_test.Variant("moto", per_test.BARE).source(1)
    assert "client" not in per_test.Variant("moto", per_test.BARE).source(1)
    assert '"reset_boto3_session": False' in per_test.Variant("moto", per_test.KEPT).source(1)
    assert "reset_boto3_session" not in per_test.Variant("moto", per_test.CALLS).source(1)


def test_moto_at_its_best_sits_beside_the_same_floor_and_ours() -> None:
    pytest.importorskip("moto")
    rows = {row.workload: row for row in per_test.measure(("ours", "moto"), {}, rounds=1)}
    assert set(rows) == {per_test.CALLS, per_test.BARE, per_test.KEPT}
    assert rows[per_test.KEPT].timings["moto"] is not None
    assert rows[per_test.KEPT].timings["moto"] is not rows[per_test.CALLS].timings["moto"]
    assert rows[per_test.KEPT].timings["ours"] is rows[per_test.CALLS].timings["ours"]


def test_rows_subtract_the_empty_test_round_by_round_and_leave_the_process_as_it_was() -> None:
    session, path, environ = boto3.DEFAULT_SESSION, list(sys.path), dict(os.environ)
    rows = per_test.measure(("ours",), {"empty": 3, "ours": 3}, rounds=2)
    assert boto3.DEFAULT_SESSION is session
    assert sys.path == path
    assert dict(os.environ) == environ
    assert not [name for name in sys.modules if name.startswith("test_per_test_")]
    assert [row.workload for row in rows] == [per_test.CALLS, per_test.BARE]
    for row in rows:
        ours, empty = row.timings["ours"], row.timings["empty"]
        assert ours is not None
        assert empty is not None
        assert len(ours.samples_us) == len(empty.samples_us) == 2
        assert ours.calls == 2  # three tests, the first one warms up
        assert row.timings["floor"] is None
        assert row.timings["moto"] is None


@pytest.mark.skipif(not floor_supported(), reason="the floor's canned answers need botocore >= 1.34.90 (awsJson1_0)")
def test_the_command_line_prints_and_writes_the_per_test_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bench.json"
    assert main(["--smoke", "--quiet", "--only", "per-test", "--sides", "floor,ours", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.count(per_test.CALLS) == 2  # the CPU table and the wall table
    assert "python -m benchmarks.run --smoke --quiet --only per-test" in printed
    rows = {row["workload"]: row for row in json.loads(out.read_text())["rows"]}
    assert set(rows) == {per_test.CALLS, per_test.BARE}
    calls = rows[per_test.CALLS]
    assert calls["sides"]["floor"]["calls"] == calls["sides"]["ours"]["calls"] == 1
    assert calls["sides"]["empty"]["cpu_per_call_us"] > 0
    assert calls["sides"]["moto"] is None
    assert calls["ratios"]["ours_over_floor_cpu"] is not None
    assert rows[per_test.BARE]["sides"]["floor"] is None
