"""Analytics' adapters: MongoDB read models."""
