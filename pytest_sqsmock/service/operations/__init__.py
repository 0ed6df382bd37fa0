"""The dispatch table: every SQS operation the simulation answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from pytest_sqsmock.service.core import Handler
from pytest_sqsmock.service.operations import (
    delete_and_visibility,
    move_tasks,
    permissions,
    queues,
    receive,
    send,
    tags,
)

OPERATIONS: Final[Mapping[str, Handler]] = {
    "CreateQueue": queues.create_queue,
    "GetQueueUrl": queues.get_queue_url,
    "ListQueues": queues.list_queues,
    "DeleteQueue": queues.delete_queue,
    "PurgeQueue": queues.purge_queue,
    "GetQueueAttributes": queues.get_queue_attributes,
    "SetQueueAttributes": queues.set_queue_attributes,
    "ListDeadLetterSourceQueues": queues.list_dead_letter_source_queues,
    "SendMessage": send.send_message,
    "SendMessageBatch": send.send_message_batch,
    "ReceiveMessage": receive.receive_message,
    "DeleteMessage": delete_and_visibility.delete_message,
    "DeleteMessageBatch": delete_and_visibility.delete_message_batch,
    "ChangeMessageVisibility": delete_and_visibility.change_message_visibility,
    "ChangeMessageVisibilityBatch": delete_and_visibility.change_message_visibility_batch,
    "AddPermission": permissions.add_permission,
    "RemovePermission": permissions.remove_permission,
    "TagQueue": tags.tag_queue,
    "UntagQueue": tags.untag_queue,
    "ListQueueTags": tags.list_queue_tags,
    "StartMessageMoveTask": move_tasks.start_message_move_task,
    "CancelMessageMoveTask": move_tasks.cancel_message_move_task,
    "ListMessageMoveTasks": move_tasks.list_message_move_tasks,
}
