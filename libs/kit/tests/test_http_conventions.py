from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, Field

from mentorship_kit import context
from mentorship_kit.http import install_api_conventions
from mentorship_kit.http_errors import ApiError, FieldProblem
from mentorship_kit.metrics import Metrics


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
