"""The notifications service.

Turns the platform's events into e-mail, calendar invitations and chat messages, as each person
prefers, exactly once per recipient, channel and kind.
"""
