"""Matching's entry points: HTTP routers, event subscriptions, the run worker."""
