"""Matching's adapters: MongoDB storage."""
