"""Matching's HTTP API: routers with their request and response schemas."""
