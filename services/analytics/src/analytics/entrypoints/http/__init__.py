"""Analytics' HTTP API: reports (JSON and CSV) and the dashboard."""
