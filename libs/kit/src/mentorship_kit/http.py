"""The HTTP face of a service: FastAPI app, probes, metrics, errors, request context.

Every service gets ``/healthz`` (the process is alive), ``/readyz`` (MongoDB and Kafka
answer, the consumer is joined and progressing), ``/metrics`` (Prometheus), an OpenAPI
document, a correlation id per request (``X-Correlation-ID`` in and out), request bodies
capped before they are read (``HTTP_MAX_JSON_BYTES``, ``HTTP_MAX_BODY_BYTES``: 413) and one
error shape::

    {"error": "<code>", "message": "<sentence>", "errors": [{"field": "...", "message": "..."}]}

FastAPI's own refusals answer with that body too: 404 for a path no route serves, 405 for a
method the path does not support (its ``Allow`` header lists every method of the path, not just
those of one route), 400 for a request body that cannot be decoded.

The OpenAPI document lists, for every operation that needs a bearer token, its 401 and 403
answers, for every operation with a request body its 400 and 413, for every operation with a
path parameter its 404, and the standard body for every 422.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from http import HTTPStatus
from types import FrameType
from typing import Any
from uuid import uuid4

import uvicorn
from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mentorship_kit import context
from mentorship_kit.allocation import tune_collector
from mentorship_kit.errors import ForbiddenError, InvalidInputError, NotFoundError, RuleError
from mentorship_kit.http_errors import ApiError, ErrorBody, FieldProblem, error_response
from mentorship_kit.logs import configure_logging
from mentorship_kit.metrics import CONTENT_TYPE_LATEST, Metrics
from mentorship_kit.runtime import ServiceRuntime
from mentorship_kit.settings import ServiceSettings

logger = logging.getLogger(__name__)

ErrorMapper = Callable[[Exception], ApiError]
"""Turns a domain exception into the HTTP error it means."""


def sentence(error: Exception) -> str:
    """The error's message as a sentence: capitalised, with a full stop."""
    text = str(error)
    return f"{text[:1].upper()}{text[1:]}."


def _not_found(error: Exception) -> ApiError:
    return ApiError(404, "not_found", f"Not found: {error}.")


def _forbidden(error: Exception) -> ApiError:
    return ApiError(403, "forbidden", sentence(error))


def _rule(error: Exception) -> ApiError:
    assert isinstance(error, RuleError)
    return ApiError(409, error.code, sentence(error))


def _invalid(error: Exception) -> ApiError:
    assert isinstance(error, InvalidInputError)
    problems = [FieldProblem(field, message) for field, message in error.problems]
    return ApiError(422, "validation_failed", f"The request is invalid: {error}.", problems)


SHARED_ERROR_MAPPERS: Mapping[type[Exception], ErrorMapper] = {
    NotFoundError: _not_found,
    ForbiddenError: _forbidden,
    RuleError: _rule,
    InvalidInputError: _invalid,
}
"""How the errors of `mentorship_kit.errors` read over HTTP, in every service."""

CORRELATION_HEADER = "x-correlation-id"
_VALID_CORRELATION = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _field_path(location: Iterable[Any]) -> str:
    return ".".join(str(part) for part in location)


async def _on_validation_error(_: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = [FieldProblem(_field_path(item["loc"]), str(item["msg"])) for item in error.errors()]
    summary = "; ".join(f"{p.field}: {p.message}" for p in problems[:3])
    return error_response(
        ApiError(422, "validation_failed", f"The request is invalid ({summary}).", problems)
    )


def _mapped(mapper: ErrorMapper) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handle(_: Request, error: Exception) -> Response:
        return error_response(mapper(error))

    return handle


async def _on_api_error(_: Request, error: Exception) -> Response:
    assert isinstance(error, ApiError)
    return error_response(error)


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at the request's path."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        route_methods = getattr(route, "methods", None)
        if route_methods and route.matches(request.scope)[0] is not Match.NONE:
            methods |= set(route_methods)
    return sorted(methods)


_FRAMEWORK_CODES = {400: "malformed_body", 404: "not_found", 405: "method_not_allowed"}


def _framework_error(request: Request, error: StarletteHTTPException) -> ApiError:
    """The standard error of a refusal by the framework (routing, body decoding)."""
    status = error.status_code
    if status == 405:
        allowed = ", ".join(_allowed_methods(request))
        message = f"{request.method} is not allowed here (allowed: {allowed})."
    elif status == 404 and "route" not in request.scope:
        message = "Not found: no operation is served at this path."
    else:
        message = sentence(Exception(error.detail))
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "error"
    code = _FRAMEWORK_CODES.get(status, phrase.lower().replace(" ", "_").replace("-", "_"))
    return ApiError(status, code, message)


async def _on_framework_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    response = error_response(_framework_error(request, error))
    response.headers.update(error.headers or {})
    if error.status_code == 405:
        response.headers["Allow"] = ", ".join(_allowed_methods(request))
    return response


class RequestContextMiddleware:
    """Sets the correlation id and records RED metrics for every HTTP request."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self._app = app
        self._metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(CORRELATION_HEADER.encode(), b"").decode("latin-1")
        correlation = incoming if _VALID_CORRELATION.match(incoming) else str(uuid4())
        status_code = 500

        async def send_with_context(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (CORRELATION_HEADER.encode(), correlation.encode()),
                ]
            await send(message)

        started = time.perf_counter()
        self._metrics.http_in_flight.inc()
        try:
            with context.handling(correlation):
                await self._app(scope, receive, send_with_context)
        finally:
            self._metrics.http_in_flight.dec()
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            method = scope["method"]
            self._metrics.http_requests.labels(method, template, str(status_code)).inc()
            self._metrics.http_request_duration.labels(method, template).observe(
                time.perf_counter() - started
            )


class BodyTooLargeError(HTTPException):
    """A request body over its limit (an HTTPException, so FastAPI passes it on unwrapped)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Request bodies of this type are limited to {limit} bytes.")
        self.limit = limit


_JSON_LIKE = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "too_large", f"Request bodies of this type are limited to {limit} bytes.")


class BodySizeLimitMiddleware:
    """Refuses request bodies over their limit with 413, without reading them into memory.

    JSON (and form) bodies are limited to ``max_json_bytes``, any other body to
    ``max_body_bytes``. A declared ``Content-Length`` over the limit is refused before the
    app runs; a body sent without one is counted as it arrives and cut off at the limit.
    """

    def __init__(self, app: ASGIApp, max_json_bytes: int, max_body_bytes: int) -> None:
        self._app = app
        self._max_json_bytes = max_json_bytes
        self._max_body_bytes = max_body_bytes

    def _limit(self, headers: dict[bytes, bytes]) -> int:
        media_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        json_like = not media_type or any(kind in media_type for kind in _JSON_LIKE)
        json_like = json_like or media_type.endswith("+json")
        return self._max_json_bytes if json_like else self._max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        limit = self._limit(headers)
        declared = headers.get(b"content-length", b"").decode("latin-1")
        if declared.isdigit() and int(declared) > limit:
            await error_response(_too_large(limit))(scope, receive, send)
            return
        received = 0
        responded = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError(limit)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal responded
            responded = responded or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._app(scope, counting_receive, watching_send)
        except BodyTooLargeError:
            if not responded:
                await error_response(_too_large(limit))(scope, receive, send)


async def _on_body_too_large(_: Request, error: Exception) -> Response:
    assert isinstance(error, BodyTooLargeError)
    return error_response(_too_large(error.limit))


def install_api_conventions(
    app: FastAPI,
    metrics: Metrics,
    *,
    max_json_bytes: int = 4 * 1024 * 1024,
    max_body_bytes: int = 32 * 1024 * 1024,
) -> None:
    """Correlation ids, RED metrics, body size limits and the standard error body on ``app``."""
    app.add_middleware(
        BodySizeLimitMiddleware, max_json_bytes=max_json_bytes, max_body_bytes=max_body_bytes
    )
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_framework_error)
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(BodyTooLargeError, _on_body_too_large)
    document_shared_responses(app)


_SHARED_RESPONSES = {
    "401": "Unauthenticated: the bearer token is missing, invalid or expired.",
    "403": "Forbidden: the caller may not do this (it needs the admin role, to manage the "
    "program, or it is another person's data).",
}
_WITH_BODY = {
    "400": "The request body could not be decoded (for instance, JSON that is not UTF-8).",
    "413": "The request body is over its size limit (HTTP_MAX_JSON_BYTES).",
}
_WITH_PATH_PARAMETER = {"404": "Not found: the path names something that does not exist."}
_FASTAPI_VALIDATION_ERROR = "#/components/schemas/HTTPValidationError"
_ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}


def _wanted_responses(operation: dict[str, Any]) -> dict[str, str]:
    wanted = dict(_SHARED_RESPONSES) if operation.get("security") else {}
    if "requestBody" in operation:
        wanted |= _WITH_BODY
    if any(parameter.get("in") == "path" for parameter in operation.get("parameters", [])):
        wanted |= _WITH_PATH_PARAMETER
    return wanted


def _document_operation(operation: dict[str, Any]) -> bool:
    """Add the kit's answers to one operation; whether it now refers to the error body."""
    used = False
    responses = operation.setdefault("responses", {})
    for status, description in _wanted_responses(operation).items():
        if status not in responses:
            responses[status] = {
                "description": description,
                "content": {"application/json": {"schema": dict(_ERROR_REF)}},
            }
            used = True
    for status, response in responses.items():
        if str(status).startswith("4") and isinstance(response, dict) and "content" not in response:
            response["content"] = {"application/json": {"schema": dict(_ERROR_REF)}}
            used = True
    invalid = responses.get("422", {}).get("content", {}).get("application/json", {})
    if invalid.get("schema", {}).get("$ref") == _FASTAPI_VALIDATION_ERROR:
        invalid["schema"] = dict(_ERROR_REF)
        responses["422"]["description"] = "The request is invalid: each field's problem named."
        used = True
    return used


def document_shared_responses(app: FastAPI) -> None:
    """Add the kit's answers to ``app``'s OpenAPI document.

    Every operation that requires a bearer token (it declares a security requirement) gets
    its 401 and 403, every operation with a request body its 400 and 413, every operation
    with a path parameter its 404, all with the shared error body, unless the operation
    already documents them. Every 4xx answer an operation documents without a body gets the
    shared one, and FastAPI's 422 body is replaced by it: the kit answers every error so.
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        used = False
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict):
                    used = _document_operation(operation) or used
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        if used:
            schemas.setdefault("ErrorBody", ErrorBody.model_json_schema())
        if _FASTAPI_VALIDATION_ERROR not in json.dumps(schema.get("paths", {})):
            schemas.pop("HTTPValidationError", None)
            if '"#/components/schemas/ValidationError"' not in json.dumps(schema):
                schemas.pop("ValidationError", None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def operations_router(runtime: ServiceRuntime) -> APIRouter:
    """Probes and metrics."""
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process serves requests")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="Readiness: MongoDB and Kafka answer, the consumer is joined and progressing",
        responses={
            503: {
                "description": "A dependency does not answer, or the consumer group member "
                "has not joined or has made no progress for CONSUMER_STALL_TIMEOUT_S."
            }
        },
    )
    async def readyz() -> JSONResponse:
        checks = await runtime.readiness()
        ready = all(checks.values())
        body: dict[str, object] = {"status": "ready" if ready else "unavailable", "checks": checks}
        consumer = runtime.consumer_state()
        if not ready and consumer is not None:
            body["consumer"] = consumer
        return JSONResponse(body, status_code=200 if ready else 503)

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(runtime.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return router


def create_http_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    description: str,
    version: str = "0.1.0",
    routers: Sequence[APIRouter] = (),
    error_mappers: Mapping[type[Exception], ErrorMapper] | None = None,
) -> FastAPI:
    """The service's ASGI app; its lifespan starts and stops ``runtime``.

    ``error_mappers`` turn the service's domain exceptions into `ApiError` responses, beside
    the shared ones of `mentorship_kit.errors`.
    """

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, description=description, version=version, lifespan=lifespan)
    install_api_conventions(
        app,
        runtime.metrics,
        max_json_bytes=runtime.settings.http_max_json_bytes,
        max_body_bytes=runtime.settings.http_max_body_bytes,
    )
    for exception_type, mapper in {**SHARED_ERROR_MAPPERS, **(error_mappers or {})}.items():
        app.add_exception_handler(exception_type, _mapped(mapper))
    app.include_router(operations_router(runtime))
    for router in routers:
        app.include_router(router)
    return app


class _BoundedServer(uvicorn.Server):
    """uvicorn, with a hard deadline once asked to stop.

    On SIGTERM (or SIGINT) uvicorn stops accepting requests, lets the running ones finish and
    runs the lifespan shutdown, each step bounded; the deadline is the last resort, so the
    process is gone before Kubernetes' grace period ends whatever it is stuck on. Work it
    leaves unfinished was never committed and is resumed by the next process.
    """

    def __init__(self, config: uvicorn.Config, deadline_s: float) -> None:
        super().__init__(config)
        self._deadline_s = deadline_s
        self._armed = False

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """Start the graceful shutdown and arm the deadline."""
        if not self._armed:
            self._armed = True
            timer = threading.Timer(self._deadline_s, _exit_now, args=(sig,))
            timer.daemon = True
            timer.start()
        super().handle_exit(sig, frame)


def _exit_now(sig: int) -> None:
    logger.error(
        "shutdown did not finish in time; exiting now", extra={"signal": signal.Signals(sig).name}
    )
    logging.shutdown()
    os._exit(128 + sig)


def serve[SettingsT: ServiceSettings](
    build: Callable[[SettingsT], FastAPI], settings: SettingsT
) -> None:
    """Build the app and run it with uvicorn until SIGINT/SIGTERM (logging set up first).

    After the signal, requests in flight get up to a third of ``SHUTDOWN_TIMEOUT_S`` to
    finish, then the runtime stops; the process exits within ``SHUTDOWN_TIMEOUT_S`` in any
    case.
    """
    configure_logging(settings.service_name, settings.log_level, settings.log_format)
    tune_collector(settings.gc_young_threshold)
    config = uvicorn.Config(
        build(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=max(int(settings.shutdown_timeout_s / 3), 1),
    )
    _BoundedServer(config, settings.shutdown_timeout_s).run()
