"""Scheduling's handlers: event reactions and the HTTP API."""
