"""The SCIM 2.0 service provider at ``/scim/v2`` (RFC 7643/7644), built on scim2-server.

scim2-server (on the scim2-models package, whose Lark grammar parses filters and paths) does
the protocol: routing, validation, filters, sorting, paging, PATCH, ETags and discovery.
This package gives it the directory's storage and the service's own bearer credential.
"""
