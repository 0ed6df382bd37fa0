"""AddPermission and RemovePermission: statements in the queue's ``Policy``."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any, Final

from pytest_sqsmock.model.queue import Queue
from pytest_sqsmock.service.access.principals import is_account_id
from pytest_sqsmock.service.access.queue_policy import OWNER_ONLY
from pytest_sqsmock.service.context import RequestContext
from pytest_sqsmock.service.core import Service
from pytest_sqsmock.service.rules.params import Params, Result, require
from pytest_sqsmock.sqs_errors import invalid_value, over_limit

MAX_ACTIONS: Final = 7
_LABEL: Final = re.compile(r"[A-Za-z0-9_-]{1,80}")
# Actions a statement may grant; the owner-only ones are refused (SQS API Reference, AddPermission).
_GRANTABLE: Final = frozenset(
    {
        "*",
        "SendMessage",
        "ReceiveMessage",
        "DeleteMessage",
        "ChangeMessageVisibility",
        "GetQueueAttributes",
        "GetQueueUrl",
        "ListDeadLetterSourceQueues",
        "PurgeQueue",
        "StartMessageMoveTask",
        "CancelMessageMoveTask",
        "ListMessageMoveTasks",
    }
)


def add_permission(service: Service, params: Params, context: RequestContext) -> Result:
    """AddPermission: append one Allow statement for accounts and actions."""
    queue = service.resolve_queue(params, context)
    label = str(require(params, "Label"))
    accounts = [str(account) for account in require(params, "AWSAccountIds")]
    actions = [str(action) for action in require(params, "Actions")]
    if not _LABEL.fullmatch(label):
        # unverified: AWS documents only the rule (SQS API Reference, AddPermission).
        raise invalid_value(
            label, "Label", "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length."
        )
    if not accounts or not all(is_account_id(account) for account in accounts):
        # unverified: moto's text.
        raise invalid_value(f"[{', '.join(accounts)}]", "PrincipalId", "Unable to verify.")
    if not actions:
        # unverified wording.
        raise invalid_value("[]", "ActionName", "Please refer to the appropriate WSDL for a list of valid actions.")
    if len(actions) > MAX_ACTIONS:
        # unverified: moto's text (AWS words the Policy limit differently).
        raise over_limit(f"{len(actions)} Actions were found, maximum allowed is {MAX_ACTIONS}.")
    for action in actions:
        if action in OWNER_ONLY:
            # unverified: moto's text.
            raise invalid_value(f"SQS:{action}", "ActionName", "Only the queue owner is allowed to invoke this action.")
        if action not in _GRANTABLE:
            # unverified wording.
            raise invalid_value(
                f"SQS:{action}", "ActionName", "Please refer to the appropriate WSDL for a list of valid actions."
            )
    document = _policy_document(queue)
    statements: list[dict[str, Any]] = document["Statement"]
    if any(statement.get("Sid") == label for statement in statements):
        raise invalid_value(label, "Label", "Already exists.")  # observed AWS behaviour
    principals = [f"arn:aws:iam::{account}:root" for account in accounts]
    granted = [f"SQS:{action}" for action in actions]
    statements.append(
        {
            "Sid": label,
            "Effect": "Allow",
            "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
            "Action": granted[0] if len(granted) == 1 else granted,
            "Resource": queue.arn,
        }
    )
    _store(service, queue, document)
    return {}


def remove_permission(service: Service, params: Params, context: RequestContext) -> Result:
    """RemovePermission: drop the statement with that label; the last one takes the Policy with it."""
    queue = service.resolve_queue(params, context)
    label = str(require(params, "Label"))
    document = _policy_document(queue)
    statements: list[dict[str, Any]] = document["Statement"]
    kept = [statement for statement in statements if statement.get("Sid") != label]
    if len(kept) == len(statements):
        raise invalid_value(label, "Label", "can't find label.")  # observed AWS behaviour
    document["Statement"] = kept
    _store(service, queue, document if kept else None)
    return {}


def _policy_document(queue: Queue) -> dict[str, Any]:
    raw = queue.settings.policy_raw
    parsed: Any = json.loads(raw) if raw else None
    document: dict[str, Any] = (
        parsed if isinstance(parsed, dict) else {"Version": "2008-10-17", "Id": f"{queue.arn}/SQSDefaultPolicy"}
    )
    statements = document.get("Statement", [])
    document["Statement"] = [statements] if isinstance(statements, dict) else list(statements)
    return document


def _store(service: Service, queue: Queue, document: dict[str, Any] | None) -> None:
    # AWS returns the policy as compact JSON (observed AWS behaviour).
    raw = None if document is None else json.dumps(document, separators=(",", ":"))
    queue.update_settings(replace(queue.settings, policy_raw=raw), service.now_ms())
