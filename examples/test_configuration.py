from __future__ import annotations

import pytest

PYPROJECT = """
[tool.pytest.ini_options]
sqs_mock_region = "eu-west-1"
sqs_mock_account_id = "111122223333"
"""


def test_ini_options_change_the_defaults(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml(PYPROJECT)
    pytester.makepyfile(
        """
        def test_defaults(sqs_mock):
            queue = sqs_mock.create_queue("jobs")
            assert (queue.region, queue.account_id) == ("eu-west-1", "111122223333")
        """
    )
    result = pytester.runpytest("-p", "no:asyncio")  # keep the inner run to this plugin
    result.assert_outcomes(passed=1)
