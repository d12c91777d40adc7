"""Registration's domain: pure rules, no I/O."""
