"""Analytics' use cases: project events into the read models, compute reports and figures."""
