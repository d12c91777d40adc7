"""Registration's use cases: load, let the domain decide, save, stage the domain's events.

They know no HTTP and no Kafka: failures are the kit's framework-free errors
(`mentorship_kit.errors`) or the domain's own; the entry points map them to status codes.
"""
