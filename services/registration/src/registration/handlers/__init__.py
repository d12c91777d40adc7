"""Registration's handlers: HTTP commands and queries."""
