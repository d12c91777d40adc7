"""The HTTP face of a service: FastAPI app, probes, metrics, errors, request context.

Every service gets ``/healthz`` (the process is alive), ``/readyz`` (MongoDB and Kafka
answer), ``/metrics`` (Prometheus), an OpenAPI document, a correlation id per request
(``X-Correlation-ID`` in and out) and one error shape::

    {"error": "<code>", "message": "<sentence>", "errors": [{"field": "...", "message": "..."}]}
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

import uvicorn
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mentorship_kit import context
from mentorship_kit.errors import ForbiddenError, InvalidInputError, NotFoundError, RuleError
from mentorship_kit.http_errors import ApiError, FieldProblem, error_response
from mentorship_kit.logs import configure_logging
from mentorship_kit.metrics import CONTENT_TYPE_LATEST, Metrics
from mentorship_kit.runtime import ServiceRuntime
from mentorship_kit.settings import ServiceSettings

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


def install_api_conventions(app: FastAPI, metrics: Metrics) -> None:
    """Correlation ids, RED metrics and the standard error body on ``app``."""
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(ApiError, _on_api_error)


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
    install_api_conventions(app, runtime.metrics)
    for exception_type, mapper in {**SHARED_ERROR_MAPPERS, **(error_mappers or {})}.items():
        app.add_exception_handler(exception_type, _mapped(mapper))
    app.include_router(operations_router(runtime))
    for router in routers:
        app.include_router(router)
    return app


def serve[SettingsT: ServiceSettings](
    build: Callable[[SettingsT], FastAPI], settings: SettingsT
) -> None:
    """Build the app and run it with uvicorn until SIGINT/SIGTERM (logging set up first)."""
    configure_logging(settings.service_name, settings.log_level, settings.log_format)
    uvicorn.run(
        build(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )
