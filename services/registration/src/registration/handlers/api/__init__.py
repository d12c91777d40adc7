"""The registration service's HTTP API."""
