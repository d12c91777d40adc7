"""Registration's entry points: the HTTP API (registration consumes no events)."""
