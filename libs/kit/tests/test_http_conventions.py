from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI, Request
from pydantic import BaseModel, Field, SecretStr

from mentorship_kit import context
from mentorship_kit.auth import Authenticator, Principal
from mentorship_kit.http import install_api_conventions
from mentorship_kit.http_errors import ApiError, FieldProblem
from mentorship_kit.metrics import Metrics
from mentorship_kit.settings import ServiceSettings


class Order(BaseModel):
    quantity: int = Field(ge=1)
    sku: str


def _app(metrics: Metrics) -> FastAPI:
    app = FastAPI()
    install_api_conventions(app, metrics)

    @app.post("/orders/{order_id}")
    async def place(order_id: str, order: Order) -> dict[str, str | None]:
        return {"order_id": order_id, "correlation_id": context.correlation_id.get()}

    @app.get("/conflict")
    async def conflict() -> None:
        raise ApiError(409, "already_done", "It was done.", [FieldProblem("body.x", "taken")])

    return app


@pytest.fixture
def metrics() -> Metrics:
    return Metrics("demo")


@pytest.fixture
async def client(metrics: Metrics) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=_app(metrics))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_validation_errors_name_each_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/orders/o1", json={"quantity": 0})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_failed"
    fields = {item["field"]: item["message"] for item in body["errors"]}
    assert fields["body.quantity"] == "Input should be greater than or equal to 1"
    assert fields["body.sku"] == "Field required"
    assert "body.quantity" in body["message"]


async def test_api_errors_use_the_same_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/conflict")
    assert response.status_code == 409
    assert response.json() == {
        "error": "already_done",
        "message": "It was done.",
        "errors": [{"field": "body.x", "message": "taken"}],
    }


async def test_correlation_id_is_taken_from_the_request_or_made_up(
    client: httpx.AsyncClient,
) -> None:
    given = await client.post(
        "/orders/o1", json={"quantity": 1, "sku": "a"}, headers={"X-Correlation-ID": "abc-1"}
    )
    assert given.headers["x-correlation-id"] == "abc-1"
    assert given.json()["correlation_id"] == "abc-1"
    made_up = await client.post(
        "/orders/o1", json={"quantity": 1, "sku": "a"}, headers={"X-Correlation-ID": "bad id!"}
    )
    assert made_up.headers["x-correlation-id"] != "bad id!"
    assert made_up.json()["correlation_id"] == made_up.headers["x-correlation-id"]


async def test_red_metrics_use_route_templates_not_raw_paths(
    client: httpx.AsyncClient, metrics: Metrics
) -> None:
    for order_id in ("o1", "o2", "o3"):
        await client.post(f"/orders/{order_id}", json={"quantity": 1, "sku": "a"})
    await client.get("/nowhere")
    text = metrics.exposition().decode()
    assert (
        'mentorship_http_requests_total{method="POST",route="/orders/{order_id}",'
        'status_code="200"} 3.0' in text
    )
    assert 'route="unmatched",status_code="404"' in text
    assert "o2" not in text
    assert "mentorship_http_request_duration_seconds_bucket" in text


_CALLER, _ADMIN = Authenticator(ServiceSettings(auth_admin_token=SecretStr("t"))).dependencies()
Caller = Annotated[Principal, Depends(_CALLER)]
Admin = Annotated[Principal, Depends(_ADMIN)]


class _Chunks:
    """A request body of ``count`` chunks of 1 MiB that counts how many were read."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.read = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.count):
            self.read += 1
            yield b" " * (1024 * 1024)


def _limited_app(metrics: Metrics, **limits: int) -> FastAPI:
    app = FastAPI()
    install_api_conventions(app, metrics, **limits)

    @app.post("/orders/{order_id}")
    async def place(order_id: str, order: Order) -> dict[str, str]:
        return {"order_id": order_id}

    @app.post("/imports")
    async def upload(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    return app


async def test_a_100_mb_json_body_is_refused_before_it_is_read(metrics: Metrics) -> None:
    transport = httpx.ASGITransport(app=_limited_app(metrics))
    body = _Chunks(100)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post(
            "/orders/o1",
            content=body,
            headers={"content-type": "application/json", "content-length": str(100 * 2**20)},
        )
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert body.read == 0


async def test_a_body_without_a_length_is_cut_off_at_the_limit(metrics: Metrics) -> None:
    transport = httpx.ASGITransport(app=_limited_app(metrics, max_json_bytes=2 * 2**20))
    body = _Chunks(100)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post(
            "/orders/o1", content=body, headers={"content-type": "application/json"}
        )
    assert response.status_code == 413
    assert response.json()["message"] == (
        "Request bodies of this type are limited to 2097152 bytes."
    )
    assert body.read <= 4


async def test_other_bodies_have_their_own_larger_limit(metrics: Metrics) -> None:
    app = _limited_app(metrics, max_json_bytes=2**20, max_body_bytes=3 * 2**20)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        csv = await client.post(
            "/imports", content=b"a" * (2 * 2**20), headers={"content-type": "text/csv"}
        )
        too_big = await client.post(
            "/imports", content=_Chunks(5), headers={"content-type": "text/csv"}
        )
    assert csv.json() == {"bytes": 2 * 2**20}
    assert too_big.status_code == 413


def test_the_openapi_document_lists_401_403_and_413_where_they_can_happen(
    metrics: Metrics,
) -> None:
    app = FastAPI()
    install_api_conventions(app, metrics)

    @app.get("/mine")
    async def mine(principal: Caller) -> dict[str, str]:
        return {}

    @app.post("/admin/orders")
    async def create(order: Order, principal: Admin) -> None:
        return None

    @app.get("/open")
    async def open_to_all() -> None:
        return None

    paths = app.openapi()["paths"]
    assert {"401", "403"} <= set(paths["/mine"]["get"]["responses"])
    assert {"401", "403", "413", "422"} <= set(paths["/admin/orders"]["post"]["responses"])
    assert not {"401", "403", "413"} & set(paths["/open"]["get"]["responses"])
    unauthenticated = paths["/mine"]["get"]["responses"]["401"]
    schema = unauthenticated["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ErrorBody"}
    assert "ErrorBody" in app.openapi()["components"]["schemas"]


async def test_an_unknown_path_is_a_404_with_the_standard_body(client: httpx.AsyncClient) -> None:
    response = await client.get("/nowhere")
    assert response.status_code == 404
    assert response.json() == {
        "error": "not_found",
        "message": "Not found: no operation is served at this path.",
        "errors": [],
    }


def _two_route_app(metrics: Metrics) -> FastAPI:
    app = FastAPI()
    install_api_conventions(app, metrics)

    @app.get("/orders/{order_id}")
    async def read(order_id: str) -> dict[str, str]:
        return {"order_id": order_id}

    @app.put("/orders/{order_id}")
    async def replace(order_id: str, order: Order) -> dict[str, str]:
        return {"order_id": order_id}

    return app


async def test_a_method_the_path_lacks_is_a_405_allowing_every_method_of_the_path(
    metrics: Metrics,
) -> None:
    transport = httpx.ASGITransport(app=_two_route_app(metrics))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.request("OPTIONS", "/orders/o1")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PUT"
    assert response.json() == {
        "error": "method_not_allowed",
        "message": "OPTIONS is not allowed here (allowed: GET, PUT).",
        "errors": [],
    }


async def test_a_body_that_is_not_utf8_is_a_400_with_the_standard_body(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/orders/o1", content=b"\x06\x06\xff\x18", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "malformed_body"
    assert set(response.json()) == {"error", "message", "errors"}


def test_the_openapi_document_lists_400_404_and_the_standard_422_body(metrics: Metrics) -> None:
    app = _two_route_app(metrics)

    @app.get("/search")
    async def search(q: str) -> None:
        return None

    document = app.openapi()
    replace = document["paths"]["/orders/{order_id}"]["put"]["responses"]
    search_responses = document["paths"]["/search"]["get"]["responses"]
    assert {"400", "404", "413", "422"} <= set(replace)
    assert "404" not in search_responses
    assert "400" not in search_responses
    for responses in (replace, search_responses):
        schema = responses["422"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorBody"}
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert "ValidationError" not in document["components"]["schemas"]


def test_documented_client_errors_without_a_body_get_the_standard_one(metrics: Metrics) -> None:
    app = FastAPI()
    install_api_conventions(app, metrics)

    @app.post("/orders/{order_id}/cancel", responses={409: {"description": "Already shipped."}})
    async def cancel(order_id: str) -> None:
        return None

    conflict = app.openapi()["paths"]["/orders/{order_id}/cancel"]["post"]["responses"]["409"]
    assert conflict["description"] == "Already shipped."
    assert conflict["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }
