"""A real Celery worker, on kombu's SQS transport, against the simulation and its virtual clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from celery import Celery
from celery.contrib.testing.app import setup_default_app
from celery.contrib.testing.worker import start_worker

from pytest_sqsmock import SqsMock

pytest.importorskip("pycurl", reason="kombu's SQS transport long-polls through pycurl", exc_type=ImportError)
# kombu's curl client calls pycurl APIs that recent pycurl deprecates.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:kombu.asynchronous.http.curl")

# Your project's app and task, usually imported from it.
app = Celery("shop")
app.conf.update(
    task_default_queue="orders",
    task_acks_late=True,
    task_acks_on_failure_or_timeout=False,  # a failed task goes back to SQS
    worker_prefetch_multiplier=1,
    worker_enable_remote_control=False,  # SQS has no broadcast for the control queue
)
charged: list[str] = []


@app.task(name="charge")
def charge(order: str) -> None:
    if order == "declined":
        raise RuntimeError("card declined")
    charged.append(order)


@pytest.fixture
def worker(sqs_mock: SqsMock) -> Iterator[None]:
    sqs_mock.create_queue("orders-dlq")
    sqs_mock.create_queue("orders", dead_letter_queue="orders-dlq", max_receive_count=3)
    server = sqs_mock.server()  # the worker long-polls through pycurl, so over HTTP
    keys = sqs_mock.credentials()
    app.conf.update(
        broker_url=f"sqs://{keys['aws_access_key_id']}:{keys['aws_secret_access_key']}@{server.host}:{server.port}",
        broker_transport_options={
            "is_secure": False,
            "region": "us-east-1",
            "predefined_queues": {"orders": {"url": f"{server.endpoint_url}/123456789012/orders"}},
            "wait_time_seconds": 20,
            "polling_interval": 0,
        },
    )
    charged.clear()
    with setup_default_app(app), start_worker(app, perform_ping_check=False):
        yield


def test_a_declined_charge_is_retried_then_dead_lettered(sqs_mock: SqsMock, worker: None) -> None:
    started = sqs_mock.now
    charge.delay("declined")
    charge.delay("ok")
    # Time moves only while the worker's one long poll waits (a worker polling over HTTP
    # is another process to the mock: say how many polls it keeps open).
    sqs_mock.run_until(lambda: len(sqs_mock.queue("orders-dlq")) == 1, consumers=1)

    assert charged == ["ok"]
    sqs_mock.assert_dead_lettered("orders", receives=3)
    # Received three times, each failure followed by the 30-second visibility timeout.
    assert sqs_mock.now - started == timedelta(seconds=90)
