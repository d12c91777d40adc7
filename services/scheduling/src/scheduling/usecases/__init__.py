"""Scheduling's use cases: load, call the domain, store, stage the domain's events.

They raise the kit's framework-free errors (`mentorship_kit.errors`) or the domain's, and know
nothing of HTTP or Kafka: the entry points translate requests and events into calls here.
"""
