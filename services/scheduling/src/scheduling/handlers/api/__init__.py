"""Scheduling's HTTP API."""
