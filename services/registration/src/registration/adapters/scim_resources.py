"""MongoDB storage of SCIM resources (users and groups as the identity provider sent them).

Unique values are claimed in their own collection (one document per value, its key the value),
so two concurrent writes of one ``userName`` cannot both commit: the second insert clashes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from mentorship_kit.mongo import Collection, Database, Document, Indexes
from mentorship_kit.outbox import Transaction
from registration.domain.provisioning import ProvisionedResource, UniquenessError

SCIM_RESOURCES = "scim_resources"
SCIM_CLAIMS = "scim_claims"


class ScimResourceRepository:
    """SCIM resources by id, with their unique-value claims."""

    def __init__(self, database: Database) -> None:
        self._resources: Collection = database[SCIM_RESOURCES]
        self._claims: Collection = database[SCIM_CLAIMS]

    @staticmethod
    def indexes() -> tuple[Indexes, ...]:
        """Lookups by type and value; users by employee id; claims by owner.

        The representation is stored as JSON text: SCIM attribute URNs hold dots, which
        MongoDB field names should not.
        """
        return (
            Indexes(
                SCIM_RESOURCES,
                (
                    IndexModel(
                        [("resource_type", ASCENDING), ("lookup", ASCENDING)], name="lookup"
                    ),
                    IndexModel([("employee_id", ASCENDING)], name="by_employee"),
                ),
            ),
            Indexes(SCIM_CLAIMS, (IndexModel([("resource_id", ASCENDING)], name="by_owner"),)),
        )

    async def get(
        self, resource_type: str, resource_id: str, tx: Transaction | None = None
    ) -> ProvisionedResource | None:
        """One resource."""
        document = await self._resources.find_one(
            {"_id": resource_id, "resource_type": resource_type},
            session=tx.session if tx else None,
        )
        return _resource(document) if document else None

    async def by_employee(
        self, employee_id: str, tx: Transaction | None = None
    ) -> list[ProvisionedResource]:
        """The users describing an employee."""
        cursor = self._resources.find(
            {"employee_id": employee_id}, session=tx.session if tx else None
        )
        return [_resource(document) async for document in cursor]

    async def find(
        self, resource_types: Sequence[str], lookup: str | None
    ) -> list[ProvisionedResource]:
        """Resources of these types, only those holding ``lookup`` when given."""
        query: Document = {"resource_type": {"$in": list(resource_types)}}
        if lookup is not None:
            query["lookup"] = lookup
        return [_resource(document) async for document in self._resources.find(query)]

    async def page(
        self, resource_types: Sequence[str], skip: int, limit: int | None
    ) -> tuple[int, list[ProvisionedResource]]:
        """Resources in id order (the order of an unsorted search), and how many there are."""
        query: Document = {"resource_type": {"$in": list(resource_types)}}
        total = await self._resources.count_documents(query)
        if limit == 0:
            return total, []
        cursor = self._resources.find(query).sort("_id", ASCENDING).skip(skip)
        if limit is not None:
            cursor = cursor.limit(limit)
        return total, [_resource(document) async for document in cursor]

    async def clashes(self, resource: ProvisionedResource, tx: Transaction) -> list[str]:
        """The unique values of ``resource`` another resource holds."""
        if not resource.unique_values:
            return []
        cursor = self._claims.find(
            {
                "_id": {"$in": list(resource.unique_values)},
                "resource_id": {"$ne": resource.resource_id},
            },
            session=tx.session,
        )
        return [document["_id"] async for document in cursor]

    async def save(self, resource: ProvisionedResource, tx: Transaction) -> None:
        """Insert or replace ``resource`` and its claims.

        Raises:
            UniquenessError: a concurrent write claimed one of its unique values first.
        """
        await self._resources.replace_one(
            {"_id": resource.resource_id}, _document(resource), upsert=True, session=tx.session
        )
        await self._claims.delete_many(
            {"resource_id": resource.resource_id, "_id": {"$nin": list(resource.unique_values)}},
            session=tx.session,
        )
        for value in resource.unique_values:
            try:
                await self._claims.update_one(
                    {"_id": value},
                    {"$setOnInsert": {"resource_id": resource.resource_id}},
                    upsert=True,
                    session=tx.session,
                )
            except DuplicateKeyError:
                raise UniquenessError from None

    async def delete(self, resource: ProvisionedResource, tx: Transaction) -> None:
        """Remove a resource and its claims."""
        await self._resources.delete_one({"_id": resource.resource_id}, session=tx.session)
        await self._claims.delete_many({"resource_id": resource.resource_id}, session=tx.session)


def _document(resource: ProvisionedResource) -> Document:
    return {
        "_id": resource.resource_id,
        "resource_type": resource.resource_type,
        "body": json.dumps(resource.body),
        "unique_values": list(resource.unique_values),
        "lookup": list(resource.lookup),
        "employee_id": resource.employee_id,
        "version": resource.version,
        "created_at": resource.created_at,
        "last_modified": resource.last_modified,
    }


def _resource(document: Document) -> ProvisionedResource:
    body: dict[str, Any] = json.loads(document["body"])
    return ProvisionedResource(
        resource_type=document["resource_type"],
        resource_id=document["_id"],
        body=body,
        unique_values=tuple(document.get("unique_values") or ()),
        lookup=tuple(document.get("lookup") or ()),
        employee_id=document.get("employee_id"),
        version=document["version"],
        created_at=document.get("created_at"),
        last_modified=document.get("last_modified"),
    )
