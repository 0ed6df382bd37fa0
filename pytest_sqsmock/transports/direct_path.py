"""The direct path (``mock_sqs(direct=True)``): SQS calls answered in botocore's ``before-call``.

botocore's client emits ``before-call.sqs.<Operation>`` with ``emit_until_response``
once it has validated and serialised a call; a handler's ``(http_response, parsed)``
skips the endpoint: no ``AWSRequest``, no ``request-created`` handlers (signing), no
``before-send`` handlers, no HTTP. The handler here answers from the simulation and
then does what the endpoint would have done with the answer, so results are the full
path's: botocore's own parser reads our encoded response (modeled error fields
included), ``needs-retry.sqs.<Operation>`` is emitted after each attempt (so the
client's retry handler decides and sets ``RetryAttempts`` / ``MaxAttemptsReached``)
and its back-off is spent in virtual time, and ``after-call`` handlers and modeled
exceptions are the client's as usual.

A handler lives on each client's own event emitter. The full path's hook
(transports/botocore_hook.py) puts it there on a client's first SQS call, through the
endpoint's emitter (private: docs/decisions/direct-before-call.md), so clients made
before and after the mock started are reached alike, from their second call on. It is
registered last: Stubber and any earlier ``before-call`` handler still answer first.
Once no direct mock is active it returns ``None`` and the call takes the full path.
aiobotocore clients stay on the full path.
"""

from __future__ import annotations

import io
import time
from collections.abc import Collection, Iterator
from typing import Any
from urllib.parse import urlencode

import botocore
from botocore.awsrequest import AWSResponse
from botocore.client import BaseClient
from botocore.credentials import Credentials
from botocore.endpoint import Endpoint
from botocore.exceptions import NoCredentialsError
from botocore.hooks import BaseEventHooks
from botocore.parsers import ResponseParser, create_parser
from botocore.signers import RequestSigner

from pytest_sqsmock.transports import botocore_hook, direct_results, direct_retries, private_hooks
from pytest_sqsmock.transports.dispatch import Dispatcher, Outcome
from pytest_sqsmock.wire.codec import SigningScope
from pytest_sqsmock.wire.http import HttpRequest

RECORD = private_hooks.DIRECT_RECORD
# Not "before-call.sqs": botocore calls the handlers of a more specific event first, and its
# own generic before-call handlers (the Lambda trace header, say) must run before we answer.
_EVENT = "before-call"
_UNIQUE_ID = "pytest_sqsmock.direct_path"
_EMITTER = "_event_emitter"
_CREDENTIALS = "_credentials"
_parsers: dict[str, ResponseParser] = {}
# The headers botocore's awsJson1_0 serialiser and its handlers send, as they spell them.
_JSON_HEADERS = frozenset({"X-Amz-Target", "Content-Type", "x-amzn-query-mode", "User-Agent", "X-Amzn-Trace-Id"})


def push(dispatcher: Dispatcher, *, passthrough: Collection[str]) -> None:
    """Route SQS calls to ``dispatcher`` as ``botocore_hook.push`` does, answering at ``before-call``.

    Raises:
        PrivateHookError: botocore is not in the shape the direct path was written for.
    """
    check()
    botocore_hook.push(dispatcher.dispatch, passthrough=passthrough, install=install)


def check() -> None:
    """Check the privates the direct path relies on (see the decision record).

    Raises:
        PrivateHookError: One of them is gone or no longer used where it is expected.
    """
    # before-call answers skip the endpoint: the client still emits it and takes its answer.
    private_hooks.calls(BaseClient, "_make_api_call", ("emit_until_response", "_make_request"), record=RECORD)
    # The endpoint keeps its client's emitter, and retries (needs-retry) after each response.
    private_hooks.calls(Endpoint, "__init__", (_EMITTER,), record=RECORD)
    private_hooks.calls(Endpoint, "_send_request", ("_needs_retry",), record=RECORD)
    # The signer signs with its own credentials unless the call's context names others.
    private_hooks.calls(RequestSigner, "get_auth_instance", (_CREDENTIALS,), record=RECORD)
    direct_retries.check()


def install(endpoint: Endpoint) -> None:
    """Put the direct path on the client that owns ``endpoint`` (once per client).

    Raises:
        PrivateHookError: The endpoint has no event emitter where botocore kept it.
    """
    emitter: BaseEventHooks = private_hooks.attribute(endpoint, _EMITTER, BaseEventHooks, record=RECORD)
    handler: Any = _DirectAnswer(endpoint, emitter)  # the stubs type handlers as returning None
    emitter.register_last(_EVENT, handler, unique_id=_UNIQUE_ID)


class _DirectAnswer:
    """The ``before-call`` handler of one client: answers while a direct mock is the newest."""

    def __init__(self, endpoint: Endpoint, emitter: BaseEventHooks) -> None:
        self._endpoint = endpoint
        self._retry = direct_retries.RetryStep(emitter)
        self._plain: dict[str, bool] = {}  # operation -> whether its results copy plainly (direct_results)

    def __call__(
        self, *, model: Any, params: dict[str, Any], request_signer: RequestSigner, context: dict[str, Any], **_: Any
    ) -> tuple[AWSResponse, dict[str, Any]] | None:
        answer = botocore_hook.current_direct()
        dispatcher = getattr(answer, "__self__", None)
        if not isinstance(dispatcher, Dispatcher):
            return None  # no direct mock now: the full path answers (or refuses) the call
        botocore_hook.note_caller()
        scope = _scope(request_signer, context)
        # The endpoint's retry context (retry handlers note their limit in it); no invocation id: no header is sent.
        retries = context.setdefault("retries", {})
        event = f"needs-retry.sqs.{model.name}"
        attempts = 1
        while True:
            retries["attempt"] = attempts
            http, parsed = self._attempt(dispatcher, params, scope, model)
            # The endpoint's retry step: the client's retry handler decides, the mock spends the back-off.
            if self._retry.skips(event, http, retries):
                break
            delay = self._retry.delay(
                event,
                retries,
                response=(http, parsed),
                endpoint=self._endpoint,
                operation=model,
                attempts=attempts,
                caught_exception=None,
                request_dict=params,
            )
            if delay is None or delay is False:
                break
            if not dispatcher.back_off(delay):
                time.sleep(delay)
            attempts += 1
        metadata = parsed.get("ResponseMetadata")
        if metadata is not None:
            metadata["RetryAttempts"] = attempts - 1
        return http, parsed

    def _attempt(
        self, dispatcher: Dispatcher, params: dict[str, Any], scope: SigningScope | None, model: Any
    ) -> tuple[AWSResponse, dict[str, Any]]:
        """One call answered by the simulation, as the endpoint would have parsed it."""
        url: str = params["url"]
        outcome = _answer_json(dispatcher, params, scope, model.name)
        if outcome is None:
            outcome = dispatcher.answer(_request(params), scope=scope)
        plain = self._plain.get(model.name)
        if plain is None:
            plain = self._plain[model.name] = direct_results.copies_plainly(model.output_shape)
        if outcome.error is None and outcome.protocol == "json" and plain:
            # A plain copy is what parsing our encoded result would give.
            parsed = direct_results.parsed(model.output_shape, outcome.result)
            http, parsed["ResponseMetadata"] = direct_results.http_response(url, outcome)
            return http, parsed
        response = outcome.encoded()
        headers: Any = response.headers
        http = AWSResponse(url, response.status, headers, _Raw(response.body))
        response_dict = {
            "headers": http.headers,
            "status_code": response.status,
            "context": {"operation_name": model.name},
            "body": response.body,
        }
        service_model = model.service_model
        # The protocol the endpoint parses with (resolved_protocol since botocore 1.37; protocol before).
        protocol = getattr(service_model, "resolved_protocol", None) or service_model.protocol
        parser = _parsers.get(protocol)
        if parser is None:
            parser = _parsers[protocol] = create_parser(protocol)
        parsed = parser.parse(response_dict, model.output_shape)
        if response.status >= 300:
            _add_modeled_error_fields(parser, response_dict, parsed, model)
        return http, parsed


def _answer_json(
    dispatcher: Dispatcher, params: dict[str, Any], scope: SigningScope | None, operation: str
) -> Outcome | None:
    """The call answered from its parts when botocore serialised it as awsJson1_0 (None: it did not)."""
    body = params["body"]
    headers = params["headers"]
    if type(body) is not bytes or headers.get("X-Amz-Target") != f"AmazonSQS.{operation}":
        return None
    if not headers.keys() <= _JSON_HEADERS:  # a header botocore does not send, or in another case
        return None
    trace = headers.get("X-Amzn-Trace-Id")
    return dispatcher.answer_json(params["url"], operation, body, scope=scope, trace_header=trace)


def _request(params: dict[str, Any]) -> HttpRequest:
    """The request botocore would send for ``params`` (its request dict), less the signature."""
    body = params["body"]
    headers = params["headers"]
    if isinstance(body, dict):  # the query protocol: AWSRequest form-encodes the fields
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", **headers}
    # prepare_request_dict joined the endpoint, path and query string into "url" already.
    return HttpRequest(params["method"], params["url"], headers, _body(body))


def _scope(signer: RequestSigner, context: dict[str, Any]) -> SigningScope | None:
    """The access key and region the client would sign this call with (None: it would not sign).

    Raises:
        NoCredentialsError: The client has no credentials, as signing would raise.
    """
    signing = context.get("signing") or {}
    version = context.get("auth_type") or signer.signature_version
    if version is botocore.UNSIGNED or signer.signature_version is botocore.UNSIGNED:
        return None
    credentials = signing.get("request_credentials") or getattr(signer, _CREDENTIALS, None)
    if credentials is None:
        raise NoCredentialsError()
    # Refreshable credentials refresh here as they would when signing; static ones just hold their key.
    key = (
        credentials.access_key if type(credentials) is Credentials else credentials.get_frozen_credentials().access_key
    )
    return SigningScope(key, signing.get("region") or signer.region_name)


def _add_modeled_error_fields(parser: ResponseParser, response_dict: Any, parsed: dict[str, Any], model: Any) -> None:
    """The endpoint's second pass over an error: the fields the error's own shape models."""
    code = parsed.get("Error", {}).get("Code")
    shape = None if code is None else model.service_model.shape_for_error_code(code)
    if shape is not None:
        parsed.update(parser.parse(response_dict, shape))


def _body(body: Any) -> bytes:
    """The body as botocore would send it (the query protocol serialises a dict of fields)."""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, dict):
        return urlencode(list(body.items()), doseq=True).encode()
    if body is None:
        return b""
    data = body.read()
    if hasattr(body, "seek"):
        body.seek(0)
    return data if isinstance(data, bytes) else str(data).encode()


class _Raw(io.BytesIO):
    """The raw body an ``AWSResponse`` reads (``stream()``)."""

    def stream(self, amt: int = 1024 * 64, decode_content: bool | None = None) -> Iterator[bytes]:
        while chunk := self.read(amt):
            yield chunk
