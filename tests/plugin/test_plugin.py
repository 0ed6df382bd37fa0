"""The pytest plugin as users meet it: fixture, marker, ini options, environment."""

from __future__ import annotations

import os

import pytest

from pytest_sqsmock import SqsMock


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    # Inner sessions have no ini for pytest-asyncio (if installed), which warns on each run.
    return pytester.runpytest("-p", "no:asyncio", *args)


def test_fixture_works_with_zero_config(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3
        from pytest_sqsmock import SqsMock

        def test_it(sqs_mock):
            assert isinstance(sqs_mock, SqsMock)
            sqs = boto3.client("sqs", region_name="us-east-1")
            url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
            assert url == "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"
            sqs.send_message(QueueUrl=url, MessageBody="hello")
            view = sqs_mock.queue("jobs")
            assert (view.region, view.account_id) == ("us-east-1", "123456789012")
            assert [m.body for m in view.visible] == ["hello"]
        """
    )
    result = run(pytester)
    result.assert_outcomes(passed=1)


def test_fixture_is_an_sqs_mock_for_type_checkers() -> None:
    # Users annotate `sqs_mock: SqsMock`; the name must stay importable from the package root.
    import pytest_sqsmock

    assert pytest_sqsmock.SqsMock is SqsMock
    assert "SqsMock" in pytest_sqsmock.__all__


def test_marker_sets_region_and_account(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sqs_mock(region="eu-west-1", account_id="111122223333")
        def test_it(sqs_mock):
            url = sqs_mock.client().create_queue(QueueName="jobs")["QueueUrl"]
            assert url == "https://sqs.eu-west-1.amazonaws.com/111122223333/jobs"
            view = sqs_mock.queue("jobs")
            assert (view.region, view.account_id) == ("eu-west-1", "111122223333")
            assert view.arn == "arn:aws:sqs:eu-west-1:111122223333:jobs"
            assert sqs_mock.create_queue("made-by-helper").url == (
                "https://sqs.eu-west-1.amazonaws.com/111122223333/made-by-helper"
            )
        """
    )
    result = run(pytester)
    result.assert_outcomes(passed=1)


def test_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.sqs_mock(*region*account_id*clock*"])


def test_ini_options_set_the_defaults(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        """
        [pytest]
        sqs_mock_region = ap-southeast-2
        sqs_mock_account_id = 999999999999
        """
    )
    pytester.makepyfile(
        """
        import pytest

        def test_from_ini(sqs_mock):
            url = sqs_mock.client().create_queue(QueueName="jobs")["QueueUrl"]
            assert url == "https://sqs.ap-southeast-2.amazonaws.com/999999999999/jobs"

        @pytest.mark.sqs_mock(region="eu-north-1")
        def test_marker_overrides_ini_region_only(sqs_mock):
            view = sqs_mock.create_queue("jobs")
            assert (view.region, view.account_id) == ("eu-north-1", "999999999999")
        """
    )
    result = run(pytester, "--strict-config")
    result.assert_outcomes(passed=2)


def test_closest_marker_wins(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.sqs_mock(region="eu-west-1")

        def test_module_marker(sqs_mock):
            assert sqs_mock.create_queue("q").region == "eu-west-1"

        @pytest.mark.sqs_mock(region="eu-central-1")
        class TestClass:
            def test_class_marker(self, sqs_mock):
                assert sqs_mock.create_queue("q").region == "eu-central-1"

            @pytest.mark.sqs_mock(region="us-west-2")
            def test_own_marker(self, sqs_mock):
                assert sqs_mock.create_queue("q").region == "us-west-2"
        """
    )
    result = run(pytester)
    result.assert_outcomes(passed=3)


def test_misspelled_marker_option_fails_clearly(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sqs_mock(regoin="eu-west-1")
        def test_it(sqs_mock):
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*regoin*"])
    result.stdout.no_fnmatch_line("*passed*")


def test_positional_marker_argument_fails_clearly(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sqs_mock("eu-west-1")
        def test_it(sqs_mock):
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*sqs_mock*"])


def test_unknown_clock_fails_clearly(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sqs_mock(clock="wall")
        def test_it(sqs_mock):
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*clock*wall*"])


def test_each_test_gets_a_fresh_empty_simulation(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3

        def test_first_fills_a_queue(sqs_mock):
            sqs = boto3.client("sqs", region_name="us-east-1")
            url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody="left behind")
            sqs_mock.advance(3600)
            assert len(sqs_mock.queues()) == 1

        def test_second_sees_nothing(sqs_mock):
            assert len(sqs_mock.queues()) == 0
            assert list(sqs_mock.calls) == []
            sqs = boto3.client("sqs", region_name="us-east-1")
            assert "QueueUrls" not in sqs.list_queues()
            assert sqs_mock.create_queue("jobs").url.endswith("/jobs")  # no QueueDeletedRecently
        """
    )
    result = run(pytester)
    result.assert_outcomes(passed=2)


def test_environment_is_hermetic(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    real_files = pytester.mkdir("real-aws")
    credentials = real_files / "credentials"
    credentials.write_text("[default]\naws_access_key_id = AKIAFROMFILE00000000\naws_secret_access_key = file-secret\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(real_files / "config"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALENV000000000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-session-token")
    monkeypatch.setenv("AWS_PROFILE", "production")  # not in any config file: would raise ProfileNotFound
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    pytester.makepyfile(
        """
        import boto3

        REAL = {"AKIAREALENV000000000", "AKIAFROMFILE00000000", "real-secret", "file-secret",
                "real-session-token"}

        def test_fake_credentials_while_the_fixture_runs(sqs_mock):
            creds = boto3.Session().get_credentials()
            assert creds is not None, "the fixture must provide credentials"
            frozen = creds.get_frozen_credentials()
            assert {frozen.access_key, frozen.secret_key, frozen.token}.isdisjoint(REAL)
            sqs = boto3.client("sqs")
            assert sqs.meta.region_name == "us-east-1"
            assert sqs.create_queue(QueueName="jobs")["QueueUrl"].endswith("/123456789012/jobs")
        """
    )
    result = run(pytester)
    result.assert_outcomes(passed=1)
    # Restored afterwards: the fixture must not leak its fake environment.
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAREALENV000000000"
    assert os.environ["AWS_PROFILE"] == "production"
    assert os.environ["AWS_DEFAULT_REGION"] == "ap-south-1"


def test_no_credentials_needed_at_all(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
    ):
        monkeypatch.delenv(name, raising=False)
    empty = pytester.mkdir("no-aws")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty / "config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    pytester.makepyfile(
        """
        import boto3

        def test_it(sqs_mock):
            sqs = boto3.client("sqs", region_name="eu-west-1")
            url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody="hi")
            assert [m.body for m in sqs_mock.queue("jobs", region="eu-west-1").visible] == ["hi"]
        """
    )
    result = run(pytester)
    result.assert_outcomes(passed=1)
    assert "AWS_ACCESS_KEY_ID" not in os.environ


def test_marker_alone_activates_the_mock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3
        import pytest

        @pytest.mark.sqs_mock(region="eu-west-1")
        def test_it():
            sqs = boto3.client("sqs", region_name="eu-west-1")
            url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
            assert url == "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"
        """
    )
    result = run(pytester)
    result.assert_outcomes(passed=1)
