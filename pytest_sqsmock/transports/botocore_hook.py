"""The in-process transport: SQS requests of every botocore client go to the simulation.

botocore copies a session's event emitter into each client when the client is
created, so a handler registered on sessions cannot reach clients that exist
already. Every client's endpoint sends through ``Endpoint._send`` once the
``before-send`` handlers had their turn, so wrapping that one method while a
mock is active reaches old and new clients alike, after botocore has
validated, serialised and signed the request, and before parsing, retries and
exceptions: the whole client stack runs. ``before-send`` handlers (moto, a
client's own handler) still answer first; botocore's Stubber answers before
that, in ``before-call``. Other services pass straight through, or are refused
(transports/network_guard.py).

``Endpoint._send`` is private: docs/decisions/private-endpoint-send.md says why
no public event is enough, and a botocore without it in the expected shape makes
:func:`push` fail with ``PrivateHookError`` rather than serve nothing.
"""

from __future__ import annotations

import io
import threading
import weakref
from collections.abc import Callable, Collection, Iterator
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.endpoint import Endpoint

from pytest_sqsmock.exceptions import NetworkBlockedError
from pytest_sqsmock.model.addresses import is_sqs_host
from pytest_sqsmock.transports import network_guard, private_hooks
from pytest_sqsmock.wire.http import HttpRequest, HttpResponse

Answer = Callable[[HttpRequest], HttpResponse]
# Puts a mock's direct path on an endpoint's client (transports/direct_path.py).
Installer = Callable[[Endpoint], None]
# Applies a patch for another client stack (aiobotocore) and returns its undo.
Patcher = Callable[[], Callable[[], None]]

# Looked up by name: the stubs do not declare this private method.
_SEND = "_send"
_lock = threading.Lock()
_stack: list[Answer] = []
# Per entry of _stack: the services that mock lets through, and the threads that called it
# (except the one that started it), which are fenced in when it stops while they still run.
_passthrough: list[frozenset[str]] = []
# Per entry of _stack: how its direct path reaches a client on the client's first call (None: no direct path).
_installers: list[Installer | None] = []
_callers: list[weakref.WeakSet[threading.Thread]] = []
_owners: list[threading.Thread] = []
# Per entry of _stack: the threads that ran before it was pushed (those started later belong to its test).
_elders: list[weakref.WeakSet[threading.Thread]] = []
_fences: list[network_guard.Fence] = []
_original_send: Callable[[Endpoint, AWSPreparedRequest], AWSResponse] | None = None
_patchers: list[Patcher] = []
_undos: list[Callable[[], None]] = []


def push(answer: Answer, *, passthrough: Collection[str] = (), install: Installer | None = None) -> None:
    """Route SQS requests to ``answer`` until it is popped (the newest push wins).

    Requests to other AWS services are refused meanwhile, except for the
    services in ``passthrough`` (``"*"``: all). ``install`` is called with the
    endpoint of every SQS request that reaches ``answer`` here (the direct path
    answers that client's later calls before they get here).

    Raises:
        PrivateHookError: A private botocore/aiobotocore method this or a
            patcher wraps is not there in the shape expected; nothing is
            patched then.
    """
    global _original_send
    with _lock:
        current = getattr(Endpoint, _SEND, None)
        wrap = current is not _send
        if wrap:
            # Not in place: the first mock, or someone (a test's monkeypatch) put another method
            # back while fenced threads kept this module patched; wrap whatever is there now.
            current = private_hooks.method(
                Endpoint, _SEND, ("request",), record=private_hooks.SEND_RECORD, called_by="_do_get_response"
            )
        if not _undos:
            _undos.extend(_apply(_patchers))
        if wrap:
            _original_send = current
            setattr(Endpoint, _SEND, _send)
        _stack.append(answer)
        _passthrough.append(frozenset(passthrough))
        _installers.append(install)
        _callers.append(weakref.WeakSet())
        _owners.append(threading.current_thread())
        _elders.append(weakref.WeakSet(threading.enumerate()))


def pop(answer: Answer, *, stopped: str = "the mock") -> list[threading.Thread]:
    """Stop routing to ``answer``; returns the threads it leaves fenced in.

    Those are the threads that made SQS calls through it or were started while
    it was active, and still run.

    Their AWS calls fail from now on (transports/network_guard.py). botocore is
    restored untouched once no mock is active and no fenced thread runs.
    """
    global _original_send
    left: list[threading.Thread] = []
    with _lock:
        for index in range(len(_stack) - 1, -1, -1):
            if _stack[index] == answer:  # equal, not identical: each ``obj.method`` is a new object
                callers = _callers.pop(index)
                owner = _owners.pop(index)
                elders = _elders.pop(index)
                del _stack[index], _passthrough[index], _installers[index]
                started = [thread for thread in threading.enumerate() if thread not in elders]
                left_behind = {*callers, *started} - {owner}
                held = network_guard.fence(sorted(left_behind, key=lambda t: t.name), stopped)
                if held is not None:
                    _fences.append(held)
                    left = list(held.threads)
                break
        _fences[:] = [held for held in _fences if held.alive()]
        if not _stack and not _fences and _original_send is not None:
            if getattr(Endpoint, _SEND) is _send:
                setattr(Endpoint, _SEND, _original_send)
            _original_send = None
            while _undos:
                _undos.pop()()
    return left


def refusal(request: AWSPreparedRequest) -> NetworkBlockedError | None:
    """Why a request no mock answers must not leave the process, if it must not."""
    return network_guard.refusal(
        request, active=bool(_stack), passthrough=_passthrough[-1] if _passthrough else (), fences=_fences
    )


def note_caller() -> None:
    """Remember the calling thread as a user of the newest mock (fenced in if it outlives it)."""
    callers = _callers[-1] if _callers else None
    if callers is not None:
        callers.add(threading.current_thread())


def add_patcher(patcher: Patcher) -> None:
    """Also apply ``patcher`` while any mock is active (registering it twice does nothing)."""
    with _lock:
        if patcher not in _patchers:
            if _stack:
                _undos.append(patcher())
            _patchers.append(patcher)


def _apply(patchers: list[Patcher]) -> list[Callable[[], None]]:
    """Apply every patcher, or none: when one raises, those applied before it are undone."""
    undos: list[Callable[[], None]] = []
    try:
        for patcher in patchers:
            undos.append(patcher())
    except BaseException:
        while undos:
            undos.pop()()
        raise
    return undos


def current() -> Answer | None:
    """The answer of the newest active mock, if any."""
    stack = _stack
    return stack[-1] if stack else None


def current_direct() -> Answer | None:
    """The answer of the newest active mock if it answers through a direct path, else None."""
    installers = _installers
    stack = _stack
    return stack[-1] if installers and installers[-1] is not None and stack else None


def is_active() -> bool:
    """Whether any mock currently routes SQS requests."""
    return bool(_stack)


def is_sqs(request: AWSPreparedRequest) -> bool:
    """Whether a prepared botocore request is an SQS call (either protocol)."""
    headers = request.headers
    target = headers.get("X-Amz-Target")
    if target is not None:
        return _text(target).startswith("AmazonSQS.")
    authorization = _text(headers.get("Authorization") or "")
    if "/sqs/aws4_request" in authorization:
        return True
    # Unsigned requests: only the SQS endpoint host tells.
    host = request.url.split("://", 1)[-1].split("/", 1)[0]
    return is_sqs_host(host)


def _send(endpoint: Endpoint, request: AWSPreparedRequest) -> AWSResponse:
    answer = _stack[-1] if _stack else None
    original = _original_send
    if answer is None or original is None or not is_sqs(request):
        refused = refusal(request) if _stack or _fences else None
        if refused is not None:
            raise refused
        # Between a pop and this call botocore's own method is back in place.
        send: Callable[[Endpoint, AWSPreparedRequest], AWSResponse] = original or getattr(Endpoint, _SEND)
        return send(endpoint, request)
    note_caller()
    install = _installers[-1] if _installers else None
    if install is not None:
        install(endpoint)
    response = answer(to_http_request(request))
    headers: Any = response.headers  # AWSResponse wraps any mapping in its own headers type
    return AWSResponse(request.url, response.status, headers, _Raw(response.body))


def to_http_request(request: AWSPreparedRequest) -> HttpRequest:
    """The transport-neutral form of a prepared botocore request."""
    # botocore's headers mapping is already case-insensitive: no copy per call.
    headers: Any = request.headers  # HTTPHeaders in the stubs; a case-insensitive mapping at run time
    return HttpRequest(
        method=request.method,
        url=request.url,
        headers=headers,
        body=_body(request.body),
        headers_ignore_case=True,
    )


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _body(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    if hasattr(body, "read"):
        data = body.read()
        if hasattr(body, "seek"):
            body.seek(0)
        return data if isinstance(data, bytes) else str(data).encode()
    return bytes(body)


class _Raw(io.BytesIO):
    """The raw body botocore reads (``stream()``), like urllib3's response."""

    def stream(self, amt: int = 1024 * 64, decode_content: bool | None = None) -> Iterator[bytes]:
        while chunk := self.read(amt):
            yield chunk
