"""scim2-server's storage over the directory: resources in, use cases called, resources out.

Writes go through `DirectoryService` (one transaction each: the resource, the person it
describes, their events and, for people who left, their withdrawals). Searches read the
stored resources directly (a plain query): an equality filter on a single-valued string
attribute (``userName eq "..."``, what identity providers send before creating someone) finds
its candidates through an index; every candidate is then matched with scim2-models' own
filter evaluation, sorted and paged as RFC 7644 says.
"""

from __future__ import annotations

import json
import re
from typing import Any, cast
from uuid import uuid4

from pymongo.errors import DuplicateKeyError
from scim2_models import (
    AttributeBinding,
    InvalidFilterException,
    Meta,
    NotFoundException,
    Path,
    PreconditionFailedException,
    Resource,
    ResourceType,
    ResponseParameters,
    ScimFilter,
    SearchRequest,
    Uniqueness,
    UniquenessException,
)
from scim2_models.path import CompareOperator, Comparison
from scim2_server.storage import AsyncScimStorage, SearchPage
from scim2_server.utils import parametrize

from registration.adapters.scim_resources import ScimResourceRepository
from registration.domain.directory import PersonFields, seniority_of
from registration.domain.provisioning import (
    USER,
    ProvisionedResource,
    ResourceNotFoundError,
    UniquenessError,
    VersionMismatchError,
)
from registration.entrypoints.scim.schema import DirectoryUser, EnterpriseUser
from registration.usecases.directory import DirectoryService

_VERSION = re.compile(r'^(?:W/)?"(\d+)"$')
_EMPLOYEE_CLAIM = "urn:mentorship:directory:employee_id"


class DirectoryScimStorage(AsyncScimStorage):
    """Where scim2-server reads and writes users and groups."""

    def __init__(
        self,
        directory: DirectoryService,
        resources: ScimResourceRepository,
        models: dict[str, type[Resource[Any]]],
    ) -> None:
        self._directory = directory
        self._resources = resources
        self._models = models

    async def get(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        response_parameters: ResponseParameters[Any] | None = None,
    ) -> Resource[Any]:
        """A resource (whole: the server applies the response parameters)."""
        del response_parameters
        try:
            stored = await self._directory.get(str(resource_type.name), resource_id)
        except ResourceNotFoundError as error:
            raise NotFoundException(detail=str(error)) from None
        return self._resource(stored)

    async def search(
        self,
        resource_types: list[ResourceType],
        search_request: SearchRequest[Any],
        *,
        position: Any = None,
    ) -> SearchPage:
        """One page of the matching resources (index paging: cursors are not announced)."""
        del position
        names = list(dict.fromkeys(str(resource_type.name) for resource_type in resource_types))
        scim_filter = search_request.filter
        start = search_request.start_index_0 or 0
        if scim_filter is None and search_request.sort_by is None:
            total, stored = await self._resources.page(names, start, search_request.count)
            return SearchPage(total, [self._resource(item) for item in stored])
        candidates = [
            self._resource(item)
            for item in await self._resources.find(names, _lookup(scim_filter, len(names)))
        ]
        if scim_filter is not None:
            candidates = [resource for resource in candidates if _matches(scim_filter, resource)]
        descending = (
            search_request.sort_by is not None
            and search_request.sort_order == SearchRequest.SortOrder.descending
        )
        ordered = sorted(
            candidates, key=lambda resource: _sort_key(search_request, resource), reverse=descending
        )
        stop = None if search_request.count is None else start + search_request.count
        return SearchPage(len(ordered), ordered[start:stop])

    async def create(self, resource_type: ResourceType, resource: Resource[Any]) -> Resource[Any]:
        """Store a new resource (a user provisions its person)."""
        resource = resource.model_copy(deep=True)
        resource.id = uuid4().hex
        provisioned = self._provisioned(resource_type, resource)
        try:
            stored = await self._directory.create(provisioned, _person(resource_type, resource))
        except (UniquenessError, DuplicateKeyError):
            raise UniquenessException from None
        return self._resource(stored)

    async def update(
        self,
        resource_type: ResourceType,
        resource: Resource[Any],
        *,
        expected_version: str | None = None,
    ) -> Resource[Any]:
        """Replace a resource (PUT, or PATCH once the server applied it)."""
        provisioned = self._provisioned(resource_type, resource)
        try:
            stored = await self._directory.replace(
                provisioned, _person(resource_type, resource), _version(expected_version)
            )
        except ResourceNotFoundError as error:
            raise NotFoundException(detail=str(error)) from None
        except VersionMismatchError:
            raise PreconditionFailedException from None
        except (UniquenessError, DuplicateKeyError):
            raise UniquenessException from None
        return self._resource(stored)

    async def delete(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        expected_version: str | None = None,
    ) -> None:
        """Delete a resource (a user's person is deactivated, not erased)."""
        try:
            await self._directory.delete(
                str(resource_type.name), resource_id, _version(expected_version)
            )
        except ResourceNotFoundError as error:
            raise NotFoundException(detail=str(error)) from None
        except VersionMismatchError:
            raise PreconditionFailedException from None

    # ------------------------------------------------------------------ conversions

    def _provisioned(
        self, resource_type: ResourceType, resource: Resource[Any]
    ) -> ProvisionedResource:
        body_model = resource.model_copy(deep=True)
        body_model.meta = None
        if hasattr(body_model, "password"):
            body_model.password = None  # never kept: the directory authenticates nobody
        body: dict[str, Any] = json.loads(body_model.model_dump_json())
        person = _person(resource_type, resource)
        unique = _unique_values(resource)
        if person is not None:
            unique.append(f"{_EMPLOYEE_CLAIM}={json.dumps(person.employee_id)}")
        return ProvisionedResource(
            resource_type=str(resource_type.name),
            resource_id=cast("str", resource.id),
            body=body,
            unique_values=tuple(unique),
            lookup=tuple(_lookup_values(resource)),
            employee_id=person.employee_id if person else None,
        )

    def _resource(self, stored: ProvisionedResource) -> Resource[Any]:
        model = self._models[stored.resource_type]
        resource = model.model_validate(stored.body)
        resource.id = stored.resource_id
        resource.meta = Meta(
            resource_type=stored.resource_type,
            created=stored.created_at,
            last_modified=stored.last_modified,
            version=f'W/"{stored.version}"',
        )
        return resource


def _version(expected: str | None) -> int | None:
    """The version an If-Match names (-1, which no resource has, when it is not ours)."""
    if expected is None:
        return None
    match = _VERSION.match(expected.strip())
    return int(match.group(1)) if match else -1


def _person(resource_type: ResourceType, resource: Resource[Any]) -> PersonFields | None:
    """The directory's reading of a user (None for other resources)."""
    if resource_type.name != USER:
        return None
    user: Any = resource
    enterprise = _extension(user, EnterpriseUser)
    own = _extension(user, DirectoryUser)
    employee_id = (
        (enterprise.employee_number if enterprise else None) or user.external_id or user.user_name
    )
    emails = sorted(user.emails or [], key=lambda email: not email.primary)
    addresses = sorted(user.addresses or [], key=lambda address: not address.primary)
    location = (own.location if own else None) or next(
        (address.locality for address in addresses if address.locality), None
    )
    manager = enterprise.manager.value if enterprise and enterprise.manager else None
    return PersonFields(
        employee_id=str(employee_id),
        name=_name(user),
        emails=tuple(str(email.value) for email in emails if email.value),
        department=enterprise.department if enterprise else None,
        location=location,
        title=user.title,
        seniority=seniority_of(own.seniority if own else None),
        manager_employee_id=manager,
        active=user.active is not False,
    )


def _extension(user: Any, extension: type[Any]) -> Any:
    try:
        return user[extension]
    except KeyError:
        return None


def _name(user: Any) -> str | None:
    if user.display_name:
        return str(user.display_name)
    name = user.name
    if name is not None:
        if name.formatted:
            return str(name.formatted)
        parts = [part for part in (name.given_name, name.family_name) if part]
        if parts:
            return " ".join(parts)
    return str(user.user_name) if user.user_name else None


def _bindings(resource: Resource[Any], **filters: Any) -> list[AttributeBinding]:
    paths = parametrize(Path, type(resource)).iter_paths(include_subattributes=False, **filters)
    return [binding for path in paths if isinstance(binding := path.resolve(), AttributeBinding)]


def _comparable(resource: Resource[Any], binding: AttributeBinding) -> Any:
    value = parametrize(Path, type(resource))(binding.urn).get(resource, strict=False)
    try:
        return binding.comparable(value)
    except ValueError:
        return None


def _key(urn: str, value: Any) -> str:
    return f"{urn}={json.dumps(value, default=str, sort_keys=True)}"


def _unique_values(resource: Resource[Any]) -> list[str]:
    """Values no other resource may hold, by their attribute's URN (RFC 7643 erratum 8279)."""
    unique = [Uniqueness.server, Uniqueness.global_]
    return [
        _key(binding.urn, value)
        for binding in _bindings(resource, uniqueness=unique)
        if (value := _comparable(resource, binding)) is not None
    ]


def _lookup_values(resource: Resource[Any]) -> list[str]:
    """Single-valued string attributes, as an equality filter compares them."""
    return [
        _key(binding.urn, value)
        for binding in _bindings(resource)
        if not binding.is_multivalued
        and binding.target_type is str
        and (value := _comparable(resource, binding)) is not None
    ]


def _lookup(scim_filter: ScimFilter[Any] | None, type_count: int) -> str | None:
    """The lookup key of a filter that is a single ``eq`` on a single-valued string."""
    if scim_filter is None or type_count != 1 or not scim_filter.models:
        return None
    node = scim_filter.ast
    if not (
        isinstance(node, Comparison)
        and node.op == CompareOperator.eq
        and isinstance(node.value, str)
    ):
        return None
    binding = scim_filter.resolve_comparison(node.attr_path, strict=False)
    if binding is None or binding.is_multivalued or binding.target_type is not str:
        return None
    try:
        return _key(binding.urn, binding.comparable(node.value))
    except ValueError:
        return None


def _matches(scim_filter: ScimFilter[Any], resource: Resource[Any]) -> bool:
    bound = (
        scim_filter
        if scim_filter.models
        else parametrize(ScimFilter, type(resource))(str(scim_filter))
    )
    try:
        return bool(bound.match(resource))
    except (ValueError, TypeError) as error:
        raise InvalidFilterException(detail=str(error)) from None


def _sort_key(search_request: SearchRequest[Any], resource: Resource[Any]) -> tuple[bool, Any, str]:
    """Missing sort values last, then the resource id (the order of an unsorted search)."""
    value = search_request.sort_value(resource)
    return value is None, value if value is not None else "", cast("str", resource.id)
