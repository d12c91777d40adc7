"""Alerts and dashboards: valid rules (promtool), alerts that fire when they should (promtool
unit tests), dashboards that query the data source, and only metrics the services expose."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from .checks import monitoring
from .declared import Wiring
from .manifests import K8S, PROD, Manifest, Overlays, damage
from .promql import metric_names, queryable

UNIT_TESTS = sorted((K8S / "monitoring").glob("alerts*.test.yaml"))
REQUIRED_ALERTS = {
    "MentorshipServiceDown",
    "MentorshipHighErrorRate",
    "MentorshipHighLatency",
    "MentorshipConsumerErrors",
    "MentorshipDeadLetters",
    "MentorshipConsumerLag",
    "MentorshipProjectionLag",
    "MentorshipOutboxBacklog",
    "MentorshipMatchingRunsFailing",
    "MentorshipNoSessionsHeld",
}


def _promtool(promtool: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool, *map(str, args)], capture_output=True, text=True, check=False, timeout=120
    )


def _write_rules(docs: list[Manifest], directory: Path) -> Path:
    rules = directory / "rules.yaml"
    rules.write_text(yaml.safe_dump({"groups": monitoring.rule_groups(docs)}, sort_keys=False))
    return rules


def check_rules(promtool: str, docs: list[Manifest], directory: Path) -> str:
    """promtool's complaints about the rules (empty when they are valid)."""
    result = _promtool(promtool, "check", "rules", _write_rules(docs, directory))
    return "" if result.returncode == 0 else result.stdout + result.stderr


def unit_test_failures(promtool: str, docs: list[Manifest], directory: Path) -> str:
    """The failures of the alerts' unit tests (empty when every case passes)."""
    _write_rules(docs, directory)
    copies = [shutil.copy(path, directory / path.name) for path in UNIT_TESTS]
    result = _promtool(promtool, "test", "rules", *copies)
    return "" if result.returncode == 0 else result.stdout + result.stderr


def test_the_rules_are_valid(overlays: Overlays, promtool: str, tmp_path: Path) -> None:
    assert check_rules(promtool, overlays[PROD], tmp_path) == ""


def test_the_alerts_fire_as_their_unit_tests_expect(
    overlays: Overlays, promtool: str, tmp_path: Path
) -> None:
    assert unit_test_failures(promtool, overlays[PROD], tmp_path) == ""


def test_the_issue_s_alerts_all_exist(overlays: Overlays) -> None:
    alerts = {
        rule.get("alert")
        for group in monitoring.rule_groups(overlays[PROD])
        for rule in group["rules"]
    }
    assert alerts >= REQUIRED_ALERTS


def test_every_alert_explains_itself(overlays: Overlays) -> None:
    for group in monitoring.rule_groups(overlays[PROD]):
        for rule in group["rules"]:
            assert rule["labels"]["severity"] in {"critical", "warning", "info"}, rule["alert"]
            assert {"summary", "description"} <= rule["annotations"].keys(), rule["alert"]


def test_the_dashboards_query_the_chosen_data_source(overlays: Overlays) -> None:
    assert set(monitoring.dashboards(overlays[PROD])) == {
        "services-red.json",
        "event-flow.json",
        "programs.json",
    }
    assert monitoring.dashboard_problems(overlays[PROD]) == []


def test_alerts_and_dashboards_read_only_metrics_the_services_expose(
    overlays: Overlays, wirings: dict[str, Wiring]
) -> None:
    exposed = queryable(family for wired in wirings.values() for family in wired.families)
    assert monitoring.metric_problems(overlays[PROD], exposed) == []


# ------------------------------------------------------------------------------ the tokenizer


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ('up{job="mentorship"} == 0', {"up"}),
        (
            'sum by (service, le) (rate(a_bucket{route=~"/v1/.+", x="{y}"}[5m])) / ignoring(le) b',
            {"a_bucket", "b"},
        ),
        (
            "histogram_quantile(0.95, sum(rate(x_seconds_bucket[$__rate_interval])) by (le))",
            {"x_seconds_bucket"},
        ),
        ("max by (namespace) (g) > 0 and on (namespace) h <= h offset 7d", {"g", "h"}),
        ('time() - max(last_seconds{service=~"$service"}) > 1e3', {"last_seconds"}),
        ("count by (version) (build_info) unless on() vector(1) or bool c", {"build_info", "c"}),
        ("sum without (pod) (increase(d_total[1h:5m]))", {"d_total"}),
        (
            'label_values(mentorship_build_info{job="mentorship"}, namespace)',
            {"mentorship_build_info"},
        ),
    ],
)
def test_metric_names_are_read_out_of_promql(query: str, names: set[str]) -> None:
    assert metric_names(query) == names


def test_queryable_names_follow_the_metric_types() -> None:
    names = queryable(
        [("c", "counter"), ("d_total", "counter"), ("h", "histogram"), ("g", "gauge")]
    )
    assert {"c_total", "d_total", "h_bucket", "h_sum", "h_count", "g", "up"} <= names
    assert "h" not in names


# ------------------------------------------------------------------------------ sabotage


RULES = "PrometheusRule/mentorship"


def _rule(docs: list[Manifest], alert: str) -> str:
    """The JSON pointer of an alert in the PrometheusRule."""
    for g, group in enumerate(monitoring.rule_groups(docs)):
        for i, rule in enumerate(group["rules"]):
            if rule.get("alert") == alert:
                return f"spec/groups/{g}/rules/{i}"
    raise LookupError(alert)


def test_promtool_rejects_an_invalid_rule(
    overlays: Overlays, promtool: str, tmp_path: Path
) -> None:
    docs = copy.deepcopy(overlays[PROD])
    damage(docs, RULES, f"{_rule(docs, 'MentorshipDeadLetters')}/expr", "sum by (x (rate(y[5m]))")
    assert check_rules(promtool, docs, tmp_path)


def test_a_weakened_alert_fails_its_unit_test(
    overlays: Overlays, promtool: str, tmp_path: Path
) -> None:
    docs = copy.deepcopy(overlays[PROD])
    damage(docs, RULES, f"{_rule(docs, 'MentorshipOutboxBacklog')}/for", "1h")
    assert unit_test_failures(promtool, docs, tmp_path)


def test_an_unknown_metric_is_reported(overlays: Overlays, wirings: dict[str, Wiring]) -> None:
    exposed = queryable(family for wired in wirings.values() for family in wired.families)
    docs = copy.deepcopy(overlays[PROD])
    expr = "mentorship_projection_lag_seconds > 60"  # the real one is analytics_...
    damage(docs, RULES, f"{_rule(docs, 'MentorshipProjectionLag')}/expr", expr)
    assert monitoring.metric_problems(docs, exposed)


def test_a_dashboard_with_an_undefined_variable_is_reported(overlays: Overlays) -> None:
    docs = copy.deepcopy(overlays[PROD])
    config_map = next(doc for doc in docs if doc["metadata"]["name"] == "mentorship-dashboards")
    config_map["data"]["programs.json"] = config_map["data"]["programs.json"].replace(
        'program=~\\"$program\\"', 'program=~\\"$programme\\"', 1
    )
    assert monitoring.dashboard_problems(docs)
