"""Scheduling's HTTP API: routers, their request and response schemas, and error mapping."""
