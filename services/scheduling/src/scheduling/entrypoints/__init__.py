"""Scheduling's entry points: the HTTP API, the event subscriptions and the workers.

Each translates what comes in (a request, an event, a tick) into a use case call; only the
HTTP entry points speak in status codes.
"""
