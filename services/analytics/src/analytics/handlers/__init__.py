"""Analytics' handlers: event projections and the report API."""
