"""Scheduling's adapters: MongoDB storage."""
