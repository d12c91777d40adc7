"""Feedback's use cases: load, let the domain decide, save and stage its events in the outbox.

They raise the kit's framework-free errors (`mentorship_kit.errors`) or the domain's; they know
nothing of HTTP or Kafka.
"""
