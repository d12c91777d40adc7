"""The committed JSON Schemas and AsyncAPI document match the models."""

from __future__ import annotations

from pathlib import Path

from mentorship_contracts.__main__ import expected_files, stale_files
from mentorship_contracts.specs import asyncapi_document, json_schemas

CONTRACTS_DIR = Path(__file__).resolve().parents[1]


def test_committed_specs_are_regenerated() -> None:
    stale = stale_files(CONTRACTS_DIR)
    assert not stale, f"run `make contracts` and commit: {stale}"


def test_generation_is_deterministic() -> None:
    assert expected_files() == expected_files()


def test_each_json_schema_names_its_event_topic_and_key() -> None:
    for name, schema in json_schemas().items():
        event_type = name.split(".")[0]
        assert schema["$id"] == f"urn:mentorship:event:{event_type}:v1"
        assert schema["properties"]["event_type"]["const"] == event_type
        assert schema["x-topic"].startswith("mentorship.")
        assert schema["x-message-key"] in schema["$defs"][event_type]["properties"]
        assert schema["description"].startswith(f"{event_type} (schema v1)")


def test_asyncapi_describes_every_event_with_its_headers() -> None:
    document = asyncapi_document()
    assert document["asyncapi"].startswith("3.")
    channels = document["channels"]
    for name in json_schemas():
        event_type = name.split(".")[0]
        matching = [key for key in channels if key.endswith(f":{event_type}")]
        assert len(matching) == 1, event_type
    for message in document["components"]["messages"].values():
        assert "ce_id" in message["headers"]["properties"]
    assert any(key.startswith("mentorship.deadletter.") for key in channels)
