"""TagQueue, UntagQueue, ListQueueTags."""

from __future__ import annotations

from pytest_sqsmock.service.context import RequestContext
from pytest_sqsmock.service.core import Service
from pytest_sqsmock.service.rules.params import Params, Result, require
from pytest_sqsmock.sqs_errors import invalid_parameter_value

MAX_TAGS = 50
MAX_KEY_LENGTH = 128
MAX_VALUE_LENGTH = 256


def tag_queue(service: Service, params: Params, context: RequestContext) -> Result:
    """TagQueue: same keys are overwritten, new ones added."""
    queue = service.resolve_queue(params, context)
    tags: dict[str, str] = require(params, "Tags")
    for key, value in tags.items():
        # Limits: SQS Developer Guide, "Amazon SQS queue quotas". unverified: the texts are moto's.
        if not 1 <= len(key) <= MAX_KEY_LENGTH:
            raise invalid_parameter_value("Tag keys must be between 1 and 128 characters in length.")
        if len(value) > MAX_VALUE_LENGTH:
            raise invalid_parameter_value("Tag values must be less than 256 characters in length.")
    merged = {**queue.tags, **tags}
    if len(merged) > MAX_TAGS:
        raise invalid_parameter_value(f"Too many tags added for queue {queue.name}.")
    queue.tags = merged
    return {}


def untag_queue(service: Service, params: Params, context: RequestContext) -> Result:
    """UntagQueue; unknown keys are ignored."""
    queue = service.resolve_queue(params, context)
    keys: list[str] = require(params, "TagKeys")
    for key in keys:
        queue.tags.pop(key, None)
    return {}


def list_queue_tags(service: Service, params: Params, context: RequestContext) -> Result:
    """ListQueueTags."""
    queue = service.resolve_queue(params, context)
    return {"Tags": dict(queue.tags)}
