"""``@mock_sqs`` on functions, coroutine functions and classes: a fresh mock for each call or test.

On a ``unittest.TestCase`` subclass one fresh mock spans each test's ``setUp``, the
test, its ``tearDown`` and cleanups (``run``, ``debug``); ``setUpClass``,
``tearDownClass`` and the class cleanups share one more, which tests do not see.
On other classes ``setup_method``, each ``test*`` method and ``teardown_method``
share one fresh mock per test (each ``test*`` method gets its own without
``setup_method``).
"""

from __future__ import annotations

import functools
import inspect
import unittest
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
Fresh = Callable[[], AbstractContextManager[object]]

# Marks what this module put on a class, so that decorating a subclass again replaces it.
_MARK = "__sqsmock_decorated__"
# The mock a plain class's setup_method started, kept on the test instance until teardown_method.
_METHOD_MOCK = "_sqsmock_method_mock"


def decorate(target: F, fresh: Fresh) -> F:
    """Run each call of ``target`` (each test of a class) inside ``fresh()``."""
    if inspect.isclass(target):
        if issubclass(target, unittest.TestCase):
            _decorate_test_case(target, fresh)
        else:
            _decorate_plain_class(target, fresh)
        return target
    return _wrap(target, fresh)


def _wrap(target: F, fresh: Fresh) -> F:
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


def _marked(function: Callable[..., Any]) -> Callable[..., Any]:
    setattr(function, _MARK, True)
    return function


def _undecorated(function: Any) -> Any:
    """``function`` as it was before this module wrapped it (for a decorated base class)."""
    while getattr(function, _MARK, False):
        function = function.__wrapped__
    return function


def _class_function(cls: type, name: str) -> Any:
    """The function behind the classmethod ``name`` of ``cls``, as its author wrote it."""
    return _undecorated(inspect.getattr_static(cls, name).__func__)


# -- unittest.TestCase ---------------------------------------------------------


def _decorate_test_case(cls: type[unittest.TestCase], fresh: Fresh) -> None:
    for name in ("run", "debug"):  # run: the runner's way in (pytest's too); debug: unittest's without a result
        original = _undecorated(getattr(cls, name))
        setattr(cls, name, _marked(_wrap(original, fresh)))
    if _overrides_class_fixtures(cls):
        _decorate_class_fixtures(cls, fresh)


def _overrides_class_fixtures(cls: type[unittest.TestCase]) -> bool:
    base = vars(unittest.TestCase)
    return any(_class_function(cls, name) is not base[name].__func__ for name in ("setUpClass", "tearDownClass"))


def _decorate_class_fixtures(cls: type[unittest.TestCase], fresh: Fresh) -> None:
    """One mock from ``setUpClass`` to the end of ``doClassCleanups``, per class that runs them.

    unittest and pytest both call ``doClassCleanups`` after ``tearDownClass``, and
    also when ``setUpClass`` fails (then ``tearDownClass`` is skipped).
    """
    set_up = _class_function(cls, "setUpClass")
    clean_up = _class_function(cls, "doClassCleanups")
    active: dict[type, AbstractContextManager[object]] = {}

    @functools.wraps(set_up)
    def set_up_class(klass: type) -> None:
        mock = fresh()
        mock.__enter__()
        active[klass] = mock
        set_up(klass)

    @functools.wraps(clean_up)
    def do_class_cleanups(klass: type) -> None:
        try:
            clean_up(klass)
        finally:
            mock = active.pop(klass, None)
            if mock is not None:
                mock.__exit__(None, None, None)

    cls.setUpClass = classmethod(_marked(set_up_class))  # type: ignore[assignment,method-assign]
    cls.doClassCleanups = classmethod(_marked(do_class_cleanups))  # type: ignore[assignment,method-assign]


# -- plain classes (pytest style) ----------------------------------------------


def _decorate_plain_class(cls: type, fresh: Fresh) -> None:
    for name, member in list(vars(cls).items()):
        if name.startswith("test") and inspect.isfunction(member):
            setattr(cls, name, _test_method(member, fresh))
        elif name.startswith("test") and isinstance(member, (staticmethod, classmethod)):
            setattr(cls, name, type(member)(_wrap(member.__func__, fresh)))
        elif name.startswith("test") and callable(member):
            setattr(cls, name, _wrap(member, fresh))
    setup = getattr(cls, "setup_method", None)
    if setup is None:
        return
    teardown = getattr(cls, "teardown_method", None)
    cls.setup_method = _setup_method(_undecorated(setup), fresh)  # type: ignore[attr-defined]
    cls.teardown_method = _teardown_method(None if teardown is None else _undecorated(teardown))  # type: ignore[attr-defined]


def _takes_method(function: Callable[..., Any]) -> bool:
    """Whether ``setup_method``/``teardown_method`` takes the test (``self, method``), as pytest asks."""
    code = getattr(function, "__code__", None)
    return code is None or code.co_argcount > 1


def _setup_method(original: Callable[..., Any], fresh: Fresh) -> Callable[..., Any]:
    @functools.wraps(original)
    def setup_method(self: Any, method: Any = None) -> None:
        mock = fresh()
        mock.__enter__()
        vars(self)[_METHOD_MOCK] = mock
        try:
            original(self, method) if _takes_method(original) else original(self)
        except BaseException:
            _stop_method_mock(self)  # pytest skips teardown_method when setup_method fails
            raise

    return _marked(setup_method)


def _teardown_method(original: Callable[..., Any] | None) -> Callable[..., Any]:
    def teardown_method(self: Any, method: Any = None) -> None:
        try:
            if original is not None:
                original(self, method) if _takes_method(original) else original(self)
        finally:
            _stop_method_mock(self)

    if original is not None:
        teardown_method = functools.wraps(original)(teardown_method)
    return _marked(teardown_method)


def _stop_method_mock(instance: Any) -> None:
    mock = vars(instance).pop(_METHOD_MOCK, None)
    if mock is not None:
        mock.__exit__(None, None, None)


def _test_method(method: F, fresh: Fresh) -> F:
    """A test method that runs in its ``setup_method``'s mock, or else in a fresh one."""

    def mock_for(self: Any) -> AbstractContextManager[object]:
        started = vars(self).get(_METHOD_MOCK) if hasattr(self, "__dict__") else None
        return fresh() if started is None else _Borrowed()

    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def run_async(self: Any, *args: Any, **kwargs: Any) -> Any:
            with mock_for(self):
                return await method(self, *args, **kwargs)

        return run_async  # type: ignore[return-value]

    @functools.wraps(method)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        with mock_for(self):
            return method(self, *args, **kwargs)

    return run  # type: ignore[return-value]


class _Borrowed(AbstractContextManager[object]):
    """The mock ``setup_method`` started is already active; ``teardown_method`` stops it."""

    def __exit__(self, *exc: object) -> None:
        return None
