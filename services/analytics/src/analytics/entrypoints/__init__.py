"""Analytics' entry points: the report API and dashboard, the event subscription, the gauges."""
