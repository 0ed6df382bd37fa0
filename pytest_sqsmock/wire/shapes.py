"""botocore's SQS service model, compiled once into small shape trees.

Both protocols walk these trees instead of botocore's ``model`` objects, so a
call costs dictionary lookups only. The model is the package's own copy of
botocore's current one, loaded on first use (never at import).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)


class Shape:
    """One compiled shape of the SQS model.

    Attributes:
        name: The shape name in the model (``SendMessageRequest``).
        kind: The model type: ``structure``, ``list``, ``map``, ``string``,
            ``integer``, ``long``, ``boolean``, ``blob`` (others are kept as given).
        members: Member name to shape, in model order (structures only).
        member: The element shape (lists; the shape itself for other kinds).
        key: The key shape (maps; the shape itself for other kinds).
        value: The value shape (maps; the shape itself for other kinds).
    """

    __slots__ = ("key", "kind", "member", "members", "name", "value")

    def __init__(self, name: str, kind: str) -> None:
        self.name = name
        self.kind = kind
        self.members: dict[str, Shape] = {}
        self.member: Shape = self
        self.key: Shape = self
        self.value: Shape = self

    def __repr__(self) -> str:
        return f"Shape({self.name!r}, {self.kind!r})"


@dataclass(frozen=True, slots=True)
class Operation:
    """One SQS operation.

    Attributes:
        name: The operation name (``SendMessage``).
        input: The input structure, or ``None``.
        output: The output structure, or ``None`` when the operation returns nothing.
    """

    name: str
    input: Shape | None
    output: Shape | None


@dataclass(frozen=True, slots=True)
class ServiceShapes:
    """The compiled SQS model.

    Attributes:
        operations: Operation name to operation.
        json_target_prefix: The ``X-Amz-Target`` prefix (``AmazonSQS``).
        xml_namespace: The query protocol's XML namespace.
    """

    operations: Mapping[str, Operation]
    json_target_prefix: str
    xml_namespace: str


MODEL_FILE = "sqs-2012-11-05.json"
_lock = threading.Lock()
_cache: list[ServiceShapes] = []


def service_shapes() -> ServiceShapes:
    """The compiled SQS model, loaded on first use.

    Returns:
        The cached :class:`ServiceShapes`.
    """
    if _cache:
        return _cache[0]
    with _lock:
        if not _cache:
            _cache.append(compile_model(_load_model()))
    return _cache[0]


def _load_model() -> dict[str, Any]:
    # Our own copy of botocore's current SQS model (scripts/vendor_sqs_model.py):
    # the simulator must understand every member current SDKs send, even where
    # the installed botocore is older (before 1.34.101 ReceiveMessage had no
    # MessageSystemAttributeNames).
    text = resources.files("pytest_sqsmock.wire").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def compile_model(data: Mapping[str, Any]) -> ServiceShapes:
    """Compile a botocore service-2 document into shape trees.

    Args:
        data: The parsed ``service-2.json`` of SQS (any protocol era).

    Returns:
        The compiled model.
    """
    raw_shapes: Mapping[str, Any] = data["shapes"]
    compiled: dict[str, Shape] = {}

    def build(name: str) -> Shape:
        found = compiled.get(name)
        if found is not None:
            return found
        raw = raw_shapes[name]
        shape = Shape(name, raw["type"])
        compiled[name] = shape  # before the children: tolerates recursive shapes
        if shape.kind == "structure":
            shape.members = {member: build(ref["shape"]) for member, ref in raw.get("members", {}).items()}
        elif shape.kind == "list":
            shape.member = build(raw["member"]["shape"])
        elif shape.kind == "map":
            shape.key = build(raw["key"]["shape"])
            shape.value = build(raw["value"]["shape"])
        return shape

    operations: dict[str, Operation] = {}
    for name, raw_op in data["operations"].items():
        input_ref = raw_op.get("input")
        output_ref = raw_op.get("output")
        operations[name] = Operation(
            name,
            build(input_ref["shape"]) if input_ref else None,
            build(output_ref["shape"]) if output_ref else None,
        )
    metadata = data.get("metadata", {})
    return ServiceShapes(
        operations=operations,
        json_target_prefix=metadata.get("targetPrefix", "AmazonSQS"),
        xml_namespace=metadata.get("xmlNamespace", "http://queue.amazonaws.com/doc/2012-11-05/"),
    )
