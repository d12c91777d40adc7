from __future__ import annotations

import pytest

from mentorship_kit.failpoints import FailpointError, Failpoints


def test_unarmed_failpoints_do_nothing() -> None:
    Failpoints("").hit("outbox.before_publish")
    Failpoints("other=raise").hit("outbox.before_publish")


def test_raise_action() -> None:
    points = Failpoints("outbox.before_publish=raise, outbox.after_publish=raise")
    with pytest.raises(FailpointError, match=r"outbox\.after_publish"):
        points.hit("outbox.after_publish")


def test_unknown_action_is_refused_with_the_failpoint_named() -> None:
    with pytest.raises(ValueError, match=r"'outbox\.before_publish'"):
        Failpoints("outbox.before_publish=explode")
