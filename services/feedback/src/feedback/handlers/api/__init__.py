"""Feedback's HTTP API."""
