"""Analytics' HTTP API: reports, CSV exports and the dashboard."""
