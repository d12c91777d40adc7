"""HTTP API of the matching service."""
