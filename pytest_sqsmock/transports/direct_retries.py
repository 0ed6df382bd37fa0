"""The endpoint's retry step on the direct path: ``needs-retry``, skipped only where it could do nothing.

After each attempt botocore's endpoint emits ``needs-retry.<service>.<Operation>``,
and the client's retry handler decides whether to retry. On a success (HTTP 2xx, no
exception), the handler of botocore's default retry mode, ``legacy``
(``botocore.retryhandler.RetryHandler``), retries nothing and changes nothing but
the call's ``retries`` context (it notes its attempt limit there as ``max``) and its
debug log; SQS's retry rules (botocore's ``_retry.json``) match no 2xx response.
Emitting the event is about a tenth of what the direct path adds to a call, so a
success skips it when the handlers botocore would call are exactly legacy retry
handlers that answered a success with None before, and debug logging is off for
them; ``max`` is noted as they would note it. Any other case emits the event: a
failed attempt, the ``standard`` and ``adaptive`` modes (which count successes
toward their retry quota), or a handler of the test's.

Which handlers botocore would call is the emitter's private lookup cache, replaced
whenever a handler is registered or unregistered
(docs/decisions/direct-before-call.md); ``check`` fails loudly when it is gone.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.hooks import BaseEventHooks, EventAliaser, HierarchicalEmitter
from botocore.retryhandler import RetryHandler

from pytest_sqsmock.transports import private_hooks

RECORD = private_hooks.DIRECT_RECORD
_CACHE = "_lookup_cache"
_INNER = "_emitter"
# The loggers an emission writes debug lines to: skipping it must not lose a line someone reads.
_HOOKS_LOG, _RETRY_LOG = logging.getLogger("botocore.hooks"), logging.getLogger("botocore.retryhandler")


def check() -> None:
    """Check the privates the skip relies on.

    Raises:
        PrivateHookError: The emitter no longer looks its handlers up, or no longer drops them, as expected.
    """
    private_hooks.calls(HierarchicalEmitter, "_emit", (_CACHE,), record=RECORD)
    private_hooks.calls(HierarchicalEmitter, "_register_section", (_CACHE,), record=RECORD)
    private_hooks.calls(HierarchicalEmitter, "unregister", (_CACHE,), record=RECORD)
    private_hooks.calls(EventAliaser, "emit", (_INNER,), record=RECORD)


class RetryStep:
    """``needs-retry`` for one client's calls, as its endpoint emits it after each attempt."""

    def __init__(self, emitter: BaseEventHooks) -> None:
        self._emitter = emitter
        inner = getattr(emitter, _INNER, None) if type(emitter) is EventAliaser else emitter
        # Only botocore's own emitter is known to call exactly what its cache holds.
        self._inner = inner if type(inner) is HierarchicalEmitter else None
        # Event -> the handlers seen to do nothing on a success, and the limit they note.
        self._quiet: dict[str, tuple[Collection[Any], Any]] = {}

    def skips(self, event: str, http: AWSResponse, retries: dict[str, Any]) -> bool:
        """Whether ``event`` can be skipped after this answer (noting ``max`` as the handlers would)."""
        if not 200 <= http.status_code < 300:
            return False
        quiet = self._quiet.get(event)
        if quiet is None or quiet[0] is not self._handlers(event):
            return False
        if _HOOKS_LOG.isEnabledFor(logging.DEBUG) or _RETRY_LOG.isEnabledFor(logging.DEBUG):
            return False
        if quiet[1] is not None:
            retries["max"] = max(retries.get("max", 0), quiet[1])
        return True

    def delay(self, event: str, retries: dict[str, Any], **kwargs: Any) -> Any:
        """Emit ``event``: the first handler's answer (a back-off in seconds; None or False: no retry)."""
        answers = self._emitter.emit(event, **kwargs)
        http, _ = kwargs["response"]
        if 200 <= http.status_code < 300 and kwargs["caught_exception"] is None:
            self._learn(event, answers, retries)
        return next((answer for _, answer in answers if answer is not None), None)

    def _learn(self, event: str, answers: list[tuple[Any, Any]], retries: dict[str, Any]) -> None:
        """Note the handlers just called when they are legacy retry handlers that answered the success with None."""
        handlers = self._handlers(event)
        if (
            handlers
            and len(answers) == len(handlers)
            and all(type(handler) is RetryHandler and answer is None for handler, answer in answers)
        ):
            self._quiet[event] = (handlers, retries.get("max"))

    def _handlers(self, event: str) -> Collection[Any] | None:
        """What the emitter would call for ``event``, when it has looked that up already."""
        if self._inner is None:
            return None
        found: Collection[Any] | None = getattr(self._inner, _CACHE).get(event)
        return found
