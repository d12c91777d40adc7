"""Feedback's entry points: the HTTP API and the event subscriptions; they translate and map."""
