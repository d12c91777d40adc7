"""Matching's use cases: load, decide (in the domain), save, stage the domain's events."""
