"""``@mock_sqs`` on functions, coroutine functions and classes: a fresh mock for each call."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def decorate(target: F, fresh: Callable[[], AbstractContextManager[object]]) -> F:
    """Run each call of ``target`` (each ``test*`` method of a class) inside ``fresh()``."""
    if inspect.isclass(target):
        for name, member in list(vars(target).items()):
            if name.startswith("test") and callable(member):
                setattr(target, name, decorate(member, fresh))
        return target
    if inspect.iscoroutinefunction(target):

        @functools.wraps(target)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            with fresh():
                return await target(*args, **kwargs)

        return run_async  # type: ignore[return-value]

    @functools.wraps(target)
    def run(*args: Any, **kwargs: Any) -> Any:
        with fresh():
            return target(*args, **kwargs)

    return run  # type: ignore[return-value]
