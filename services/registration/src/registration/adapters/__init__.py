"""Registration's adapters: MongoDB repositories."""
