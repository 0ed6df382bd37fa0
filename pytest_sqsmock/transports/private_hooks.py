"""The private botocore and aiobotocore attributes the transports wrap, checked before any is touched.

No public botocore event carries these behaviours (each decision record in
docs/decisions/ says why). A private attribute can vanish or change shape in
any botocore or aiobotocore release, and a wrapper that no longer applies would
serve nothing or sleep in wall time without a word. So every hook looks its
target up here first: when the attribute is missing, has not the parameters the
hook was written for, or is no longer called where the hook expects it, starting
a mock fails with :class:`PrivateHookError`, naming the installed versions and
the decision record.
"""

from __future__ import annotations

import importlib.metadata
import inspect
from collections.abc import Callable, Sequence
from typing import Any

from pytest_sqsmock.exceptions import SqsMockError

SEND_RECORD = "docs/decisions/private-endpoint-send.md"
"""Why the transports wrap ``Endpoint._send`` and ``AioEndpoint._send``."""
RETRY_RECORD = "docs/decisions/private-retry-sleep.md"
"""Why retry back-off wraps ``_needs_retry`` and the sleep that follows it."""
DIRECT_RECORD = "docs/decisions/direct-before-call.md"
"""Why the direct path reaches a client through its endpoint's emitter, and what it relies on."""


# The shapes already checked, by the very objects checked: every mock's start asks again, and
# inspect.signature made the checks half of what entering mock_sqs() cost.
_passed: set[tuple[Any, ...]] = set()


class PrivateHookError(SqsMockError):
    """A private botocore or aiobotocore hook of pytest_sqsmock cannot apply to the installed version."""


def attribute(owner: Any, name: str, kind: type, *, record: str) -> Any:
    """``owner.name`` (a module's class or module global), checked to be an instance of ``kind``.

    Raises:
        PrivateHookError: It is missing, or not a ``kind``.
    """
    found = getattr(owner, name, None)
    if not isinstance(found, kind):
        problem = "does not exist" if found is None else f"is not a {kind.__name__} but {found!r}"
        raise _error(f"{_name(owner)}.{name} {problem}", record)
    return found


def method(
    owner: Any,
    name: str,
    parameters: Sequence[str],
    *,
    record: str,
    coroutine: bool = False,
    called_by: str | None = None,
) -> Callable[..., Any]:
    """``owner.name``, checked to be what the hook documented in ``record`` wraps.

    Args:
        owner: The class that has the method (inherited counts).
        name: The method's name.
        parameters: The names of its leading parameters after ``self``; any
            further parameter must have a default.
        record: The decision record that explains the hook.
        coroutine: Whether the method must be a coroutine function (aiobotocore).
        called_by: A method of ``owner`` that must still call ``self.<name>``.

    Raises:
        PrivateHookError: The installed version does not have it in that shape.
    """
    where = f"{_name(owner)}.{name}"
    found: Any = getattr(owner, name, None)
    key = (
        found,
        tuple(parameters),
        coroutine,
        called_by,
        None if called_by is None else getattr(owner, called_by, None),
    )
    if found is not None and key in _passed:
        return _callable(found)
    if found is None:
        raise _error(f"{where} does not exist", record)
    if not callable(found) or (coroutine and not inspect.iscoroutinefunction(found)):
        kind = "a coroutine function" if coroutine else "a function"
        raise _error(f"{where} is not {kind} but {found!r}", record)
    signature = _signature(found)
    if signature is None or not _starts_with(signature, parameters):
        expected = ", ".join(("self", *parameters))
        raise _error(f"{where} has the signature {_plain(signature)}, not ({expected}, ...)", record)
    if called_by is not None:
        calls(owner, called_by, (name,), record=record)
    _passed.add(key)
    return _callable(found)


def calls(owner: Any, name: str, names: Sequence[str], *, record: str) -> None:
    """Check that ``owner.name`` still refers to every one of ``names`` (attributes or globals it uses).

    Raises:
        PrivateHookError: It does not exist, or no longer uses one of them.
    """
    where = f"{_name(owner)}.{name}"
    found = getattr(owner, name, None)
    if found is None:
        raise _error(f"{where} does not exist", record)
    code = getattr(inspect.unwrap(found), "__code__", None)
    used = set(code.co_names) if code is not None else set()
    missing = [each for each in names if each not in used]
    if missing:
        raise _error(f"{where} no longer uses {', '.join(missing)}", record)


def replace(owner: Any, name: str, value: Any) -> Callable[[], None]:
    """Set ``owner.name`` to ``value``; returns the undo (which also removes an attribute ``owner`` only inherited)."""
    own = name in vars(owner)
    original = vars(owner).get(name)
    setattr(owner, name, value)

    def undo() -> None:
        if own:
            setattr(owner, name, original)
        elif name in vars(owner):
            delattr(owner, name)

    return undo


def versions() -> str:
    """The installed botocore and aiobotocore, as a phrase for error messages."""
    return f"botocore {_version('botocore')}, aiobotocore {_version('aiobotocore')}"


def _error(problem: str, record: str) -> PrivateHookError:
    return PrivateHookError(
        f"pytest_sqsmock cannot start with {versions()}: {problem}. pytest_sqsmock wraps this private "
        f"attribute because no public botocore event can do its job ({record} says why, and when the hook "
        "can go). Install a botocore/aiobotocore pair that tox's lowest, middle or latest env tests, "
        "and report the versions above."
    )


def _callable(found: Any) -> Callable[..., Any]:
    checked: Callable[..., Any] = found
    return checked


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"


def _name(owner: Any) -> str:
    module = getattr(owner, "__module__", None)
    qualname = getattr(owner, "__qualname__", None) or getattr(owner, "__name__", repr(owner))
    return f"{module}.{qualname}" if isinstance(module, str) else str(qualname)


def _signature(found: Callable[..., Any]) -> inspect.Signature | None:
    try:
        return inspect.signature(found)
    except (TypeError, ValueError):  # a builtin or an object without a signature
        return None


def _plain(signature: inspect.Signature | None) -> str:
    """The signature without annotations (``None``: unknown)."""
    if signature is None:
        return "(unknown)"
    empty = inspect.Parameter.empty
    parameters = [each.replace(annotation=empty) for each in signature.parameters.values()]
    return str(signature.replace(parameters=parameters, return_annotation=empty))


def _starts_with(signature: inspect.Signature, parameters: Sequence[str]) -> bool:
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    listed = list(signature.parameters.values())
    if any(each.kind is inspect.Parameter.VAR_POSITIONAL for each in listed[: len(parameters) + 1]):
        return True  # (self, *args, ...) takes whatever botocore passes
    leading, rest = listed[1 : len(parameters) + 1], listed[len(parameters) + 1 :]
    return (
        len(listed) > len(parameters)
        and all(each.kind in kinds for each in listed[: len(parameters) + 1])
        and [each.name for each in leading] == list(parameters)
        and all(each.default is not inspect.Parameter.empty or each.kind in _VARIADIC for each in rest)
    )


_VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
