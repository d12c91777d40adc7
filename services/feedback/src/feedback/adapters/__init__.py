"""Feedback's adapters: MongoDB storage."""
