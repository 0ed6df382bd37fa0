"""StartMessageMoveTask, CancelMessageMoveTask and ListMessageMoveTasks (DLQ redrive).

The tasks themselves live in `pytest_sqsmock.model.move_task` and move
messages in virtual time; these handlers validate requests with the errors AWS
answers (observed AWS behaviour; SQS API Reference, StartMessageMoveTask,
CancelMessageMoveTask, ListMessageMoveTasks) and render tasks as
ListMessageMoveTasks does. Texts never observed from AWS are chosen here in
AWS's style and commented as unverified.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Final

from pytest_sqsmock.model.addresses import split_arn
from pytest_sqsmock.model.move_task import MoveTask
from pytest_sqsmock.model.queue import Queue
from pytest_sqsmock.service.access import queue_policy
from pytest_sqsmock.service.context import RequestContext
from pytest_sqsmock.service.core import Service, caller_of
from pytest_sqsmock.service.rules.params import Params, Result, optional_in_range, require
from pytest_sqsmock.service.rules.policy_attributes import same_account_and_region
from pytest_sqsmock.sqs_errors import (
    SqsError,
    invalid_parameter_value,
    invalid_value,
    resource_not_found,
)

MAX_RATE_PER_S: Final = 500
MAX_LISTED_TASKS: Final = 10
OUTSIDE_SOURCE_ACCOUNT_AND_REGION: Final = (
    "The destination queue must be in the same account and region as the source queue."
)


def start_message_move_task(service: Service, params: Params, context: RequestContext) -> Result:
    """StartMessageMoveTask: start moving a dead-letter queue's messages."""
    source_arn = str(require(params, "SourceArn"))
    # unverified: AWS documents only the limit 500; worded like ReceiveMessage's range errors.
    rate = optional_in_range(
        params,
        "MaxNumberOfMessagesPerSecond",
        1,
        MAX_RATE_PER_S,
        f"Must be between 1 and {MAX_RATE_PER_S}, if provided.",
        default=None,
    )
    service.catch_up_tasks()
    source = _existing(service, source_arn, "SourceArn", context)
    caller = _caller(service, context)
    # A move receives and deletes each message at the source and sends it to the
    # destination, so the caller needs those actions as well: our choice, the
    # safe one (AWS documents no error for a caller who lacks them).
    for action in ("StartMessageMoveTask", "ReceiveMessage", "DeleteMessage"):
        queue_policy.check(source, action, caller)
    if not _is_dead_letter_queue(service, source):
        raise invalid_parameter_value("Source queue must be configured as a Dead Letter Queue.")
    destination = None
    destination_arn = params.get("DestinationArn")
    if destination_arn is not None:
        if split_arn(str(destination_arn)) is not None and not same_account_and_region(
            str(destination_arn), source.arn
        ):
            # Checked before the lookup: another account's queues are neither
            # reached nor revealed. unverified: AWS's answer is not recorded.
            raise invalid_value(destination_arn, "DestinationArn", OUTSIDE_SOURCE_ACCOUNT_AND_REGION)
        destination = _existing(service, str(destination_arn), "DestinationArn", context)
        queue_policy.check(destination, "SendMessage", caller)
        if destination.settings.fifo != source.settings.fifo:
            # unverified: only the rule is documented (SQS API Reference, StartMessageMoveTask).
            raise invalid_value(
                destination_arn,
                "DestinationArn",
                "The destination queue must be the same queue type as the source queue.",
            )
    if service.move_tasks.active_for(source) is not None:
        raise invalid_parameter_value(
            "There is already a task running. Only one active task is allowed for a source queue arn at a given time."
        )
    now = service.now_ms()
    source.catch_up(now)
    task = service.move_tasks.start(source=source, destination=destination, max_per_second=rate, now_ms=now)
    return {"TaskHandle": task_handle(task)}


def cancel_message_move_task(service: Service, params: Params, context: RequestContext) -> Result:
    """CancelMessageMoveTask: stop a running task; moved messages stay moved."""
    handle = str(require(params, "TaskHandle"))
    decoded = parse_task_handle(handle)
    if decoded is None:
        raise invalid_parameter_value("Value for parameter TaskHandle is invalid.")
    task_id, source_arn = decoded
    service.catch_up_tasks()
    source = _existing(service, source_arn, "SourceArn", context)
    queue_policy.check(source, "CancelMessageMoveTask", _caller(service, context))
    task = service.move_tasks.find(source, task_id)
    if task is None or task.status != "RUNNING":
        # A finished or cancelling task: AWS's answer is unverified; only RUNNING
        # tasks can be cancelled (SQS API Reference, CancelMessageMoveTask).
        raise resource_not_found("Task does not exist.")
    task.cancel(service.now_ms())
    return {"ApproximateNumberOfMessagesMoved": task.moved}


def list_message_move_tasks(service: Service, params: Params, context: RequestContext) -> Result:
    """ListMessageMoveTasks: a source's most recent tasks, newest first."""
    source_arn = str(require(params, "SourceArn"))
    # unverified: AWS documents only the limit 10; worded like ReceiveMessage's range errors.
    max_results = optional_in_range(
        params,
        "MaxResults",
        1,
        MAX_LISTED_TASKS,
        f"Must be between 1 and {MAX_LISTED_TASKS}, if provided.",
        default=None,
    )
    service.catch_up_tasks()
    source = _existing(service, source_arn, "SourceArn", context)
    queue_policy.check(source, "ListMessageMoveTasks", _caller(service, context))
    tasks = service.move_tasks.tasks_for(source)[: max_results or 1]
    return {"Results": [_entry(task) for task in tasks]}


def task_handle(task: MoveTask) -> str:
    """The task's handle: base64 of ``{"taskId":…,"sourceArn":…}`` (observed AWS behaviour)."""
    document = {"taskId": task.task_id, "sourceArn": task.source_arn}
    return base64.b64encode(json.dumps(document, separators=(",", ":")).encode()).decode()


def parse_task_handle(handle: str) -> tuple[str, str] | None:
    """``(task_id, source_arn)`` of a handle `task_handle` made, or ``None``."""
    try:
        document = json.loads(base64.b64decode(handle, validate=True))
    except (binascii.Error, ValueError, RecursionError):
        return None
    if not isinstance(document, dict):
        return None
    task_id, source_arn = document.get("taskId"), document.get("sourceArn")
    if not isinstance(task_id, str) or not isinstance(source_arn, str) or split_arn(source_arn) is None:
        return None
    return task_id, source_arn


def _caller(service: Service, context: RequestContext) -> queue_policy.Caller:
    # With the time, for aws:CurrentTime / aws:EpochTime conditions.
    return caller_of(context, service.now_ms())


def _existing(service: Service, arn: str, parameter: str, context: RequestContext) -> Queue:
    # The endpoint's region decides, as for queue URLs (observed AWS behaviour). A
    # malformed ARN is reported as a missing resource (unverified).
    parts = split_arn(arn)
    queue = None if parts is None or parts[0] != context.region else service.registry.find_by_arn(arn)
    if queue is None:
        raise _not_found(parameter)
    queue.catch_up(service.now_ms())
    return queue


def _not_found(parameter: str) -> SqsError:
    return resource_not_found(f"The resource that you specified for the {parameter} parameter doesn't exist.")


def _is_dead_letter_queue(service: Service, queue: Queue) -> bool:
    return any(
        source.settings.redrive_policy is not None
        and source.settings.redrive_policy.dead_letter_target_arn == queue.arn
        for source in service.registry.all_queues()
    )


def _entry(task: MoveTask) -> Result:
    # Field presence per SQS API Reference, ListMessageMoveTasksResultEntry; order follows botocore's shape.
    entry: Result = {}
    if task.status == "RUNNING":
        entry["TaskHandle"] = task_handle(task)
    entry["Status"] = task.status
    entry["SourceArn"] = task.source_arn
    if task.destination_arn is not None:
        entry["DestinationArn"] = task.destination_arn
    if task.max_per_second is not None:
        entry["MaxNumberOfMessagesPerSecond"] = task.max_per_second
    entry["ApproximateNumberOfMessagesMoved"] = task.moved
    entry["ApproximateNumberOfMessagesToMove"] = task.to_move
    if task.status == "FAILED" and task.failure_reason is not None:
        entry["FailureReason"] = task.failure_reason
    entry["StartedTimestamp"] = task.started_at_ms
    return entry
