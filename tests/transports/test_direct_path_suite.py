"""Behaviour tests of the API, FIFO queues, faults and redrive, run again on the direct path.

Their fixtures make a boto3 client and create a queue with it before the test's own
calls, so those calls are answered at ``before-call`` (``sqs_mock_direct = true``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SLICE = ["tests/api", "tests/fifo", "tests/faults/test_fault_injection.py", "tests/redrive"]
# The direct path never builds an AWSRequest: before-sign handlers (this one adds a header) do not run.
SKIPS_BEFORE_SIGN = "not test_x_amzn_trace_id_header_populates_aws_trace_header"


def test_behaviour_tests_pass_on_the_direct_path(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess(
        "-c",
        str(ROOT / "pyproject.toml"),
        "--rootdir",
        str(ROOT),
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        "-o",
        "sqs_mock_direct=true",
        "-q",
        "-k",
        SKIPS_BEFORE_SIGN,
        *(str(ROOT / path) for path in SLICE),
    )

    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()[-4000:]
    assert outcomes.get("errors", 0) == 0, result.stdout.str()[-4000:]
    assert outcomes["passed"] > 300
