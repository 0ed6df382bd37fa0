"""Queue lifecycle and attributes: Create/GetUrl/List/Delete/Purge, Get/SetAttributes."""

from __future__ import annotations

from collections.abc import Callable

from pytest_sqsmock.model.addresses import queue_arn, queue_url
from pytest_sqsmock.model.queue import Queue
from pytest_sqsmock.model.settings import QueueSettings
from pytest_sqsmock.service.access import queue_policy
from pytest_sqsmock.service.context import RequestContext
from pytest_sqsmock.service.core import Service, caller_of
from pytest_sqsmock.service.rules.pagination import page
from pytest_sqsmock.service.rules.params import Params, Result, require
from pytest_sqsmock.service.rules.queue_attributes import (
    apply_set_attributes,
    first_difference,
    parse_create_attributes,
    render_attributes,
    validate_queue_name,
)
from pytest_sqsmock.sqs_errors import (
    purge_queue_in_progress,
    queue_deleted_recently,
    queue_does_not_exist,
    queue_name_exists,
)

RECREATE_WAIT_MS = 60_000
PURGE_INTERVAL_MS = 60_000


def _dead_letter_resolver(service: Service) -> Callable[[str], QueueSettings | None]:
    def resolve(arn: str) -> QueueSettings | None:
        queue = service.registry.find_by_arn(arn)
        return None if queue is None else queue.settings

    return resolve


def create_queue(service: Service, params: Params, context: RequestContext) -> Result:
    """CreateQueue: idempotent for equal attributes and tags."""
    name = require(params, "QueueName")
    attributes: dict[str, str] = params.get("Attributes") or {}
    tags: dict[str, str] = params.get("tags") or {}
    validate_queue_name(name, attributes.get("FifoQueue", "").lower() == "true")
    now = service.now_ms()
    region = service.registry.region(context.account_id, context.region)
    existing = region.queues.get(name)
    arn = queue_arn(context.region, context.account_id, name)
    if existing is not None:
        differing = first_difference(
            existing.settings, attributes, queue_arn=arn, resolve_dead_letter=_dead_letter_resolver(service)
        )
        if differing is None and tags and tags != existing.tags:
            # Tags take part in the comparison (observed AWS behaviour); unverified: the name AWS reports.
            differing = "tags"
        if differing is not None:
            raise queue_name_exists(differing)
        return {"QueueUrl": queue_url(context.base_url, context.account_id, name)}
    deleted_at = region.deleted_at_ms.get(name)
    if deleted_at is not None and now - deleted_at < RECREATE_WAIT_MS:
        raise queue_deleted_recently()
    settings = parse_create_attributes(attributes, queue_arn=arn, resolve_dead_letter=_dead_letter_resolver(service))
    region.queues[name] = Queue(
        name=name,
        account_id=context.account_id,
        region=context.region,
        arn=arn,
        settings=settings,
        now_ms=now,
        tags=tags,
    )
    return {"QueueUrl": queue_url(context.base_url, context.account_id, name)}


def get_queue_url(service: Service, params: Params, context: RequestContext) -> Result:
    """GetQueueUrl, optionally of another account's queue that its policy shares."""
    name = require(params, "QueueName")
    owner = params.get("QueueOwnerAWSAccountId") or context.account_id
    queue = service.registry.find(owner, context.region, name)
    if queue is None:
        raise queue_does_not_exist(query=context.protocol == "query")
    if not queue_policy.allows(queue, "GetQueueUrl", caller_of(context, service.now_ms())):
        # SQS does not reveal whether a queue it won't show exists (observed AWS behaviour).
        raise queue_does_not_exist(hidden=True)
    return {"QueueUrl": queue_url(context.base_url, owner, name)}


def list_queues(service: Service, params: Params, context: RequestContext) -> Result:
    """ListQueues of the caller's account and region, by creation order."""
    prefix = params.get("QueueNamePrefix") or ""
    urls = [
        queue_url(context.base_url, context.account_id, queue.name)
        for queue in service.registry.all_queues(context.account_id, context.region)
        if queue.name.startswith(prefix)
    ]
    return page(urls, params, "QueueUrls")


def delete_queue(service: Service, params: Params, context: RequestContext) -> Result:
    """DeleteQueue, whatever it holds; the name is blocked for 60 seconds."""
    queue = service.resolve_queue(params, context)
    region = service.registry.region(queue.account_id, queue.region)
    del region.queues[queue.name]
    region.deleted_at_ms[queue.name] = service.now_ms()
    queue.deleted = True
    return {}


def purge_queue(service: Service, params: Params, context: RequestContext) -> Result:
    """PurgeQueue, at most once every 60 seconds per queue."""
    queue = service.resolve_queue(params, context)
    now = service.now_ms()
    if queue.last_purge_ms is not None and now - queue.last_purge_ms < PURGE_INTERVAL_MS:
        raise purge_queue_in_progress(queue.name)
    queue.purge(now)
    return {}


def get_queue_attributes(service: Service, params: Params, context: RequestContext) -> Result:
    """GetQueueAttributes, ``All`` or by name."""
    queue = service.resolve_queue(params, context)
    return {
        "Attributes": render_attributes(
            queue.settings,
            params.get("AttributeNames") or [],
            dynamic=dynamic_attributes(queue),
        )
    }


def set_queue_attributes(service: Service, params: Params, context: RequestContext) -> Result:
    """SetQueueAttributes; changes apply at once."""
    queue = service.resolve_queue(params, context)
    attributes: dict[str, str] = require(params, "Attributes")
    settings = apply_set_attributes(
        queue.settings,
        attributes,
        queue_arn=queue.arn,
        resolve_dead_letter=_dead_letter_resolver(service),
    )
    queue.update_settings(settings, service.now_ms())
    return {}


def list_dead_letter_source_queues(service: Service, params: Params, context: RequestContext) -> Result:
    """ListDeadLetterSourceQueues: queues whose RedrivePolicy targets this one."""
    queue = service.resolve_queue(params, context)
    urls = [
        queue_url(context.base_url, source.account_id, source.name)
        for source in service.registry.all_queues(queue.account_id, queue.region)
        if source.settings.redrive_policy is not None
        and source.settings.redrive_policy.dead_letter_target_arn == queue.arn
    ]
    return page(urls, params, "queueUrls")


def dynamic_attributes(queue: Queue) -> dict[str, str]:
    """The read-only attributes, computed from the queue's state."""
    return {
        "ApproximateNumberOfMessages": str(queue.counts["visible"]),
        "ApproximateNumberOfMessagesNotVisible": str(queue.counts["in_flight"]),
        "ApproximateNumberOfMessagesDelayed": str(queue.counts["delayed"]),
        "CreatedTimestamp": str(queue.created_at_ms // 1000),
        "LastModifiedTimestamp": str(queue.modified_at_ms // 1000),
        "QueueArn": queue.arn,
    }
