"""Checks of the alerts and dashboards (test_monitoring, test_metrics_e2e)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from tests.deploy.manifests import (
    Manifest,
    labels,
    of_kind,
)
from tests.deploy.promql import dashboard_queries, metric_names


def rule_groups(docs: Sequence[Manifest]) -> list[Manifest]:
    """The rule groups of every PrometheusRule, as promtool reads them."""
    return [group for rule in of_kind(docs, "PrometheusRule") for group in rule["spec"]["groups"]]


def dashboards(docs: Sequence[Manifest]) -> dict[str, Manifest]:
    """Every Grafana dashboard the overlay ships, by file name."""
    return {
        key: json.loads(value)
        for doc in of_kind(docs, "ConfigMap")
        if labels(doc).get("grafana_dashboard") == "1"
        for key, value in doc.get("data", {}).items()
    }


def queries(docs: Sequence[Manifest]) -> dict[str, str]:
    """Every PromQL query of the alerts and dashboards, by where it is used."""
    found = {
        f"alert {rule.get('alert') or rule.get('record')}": str(rule["expr"])
        for group in rule_groups(docs)
        for rule in group["rules"]
    }
    for name, dashboard in dashboards(docs).items():
        found |= {f"{name} query {i}": q for i, q in enumerate(dashboard_queries(dashboard))}
    return found


def metric_problems(docs: Sequence[Manifest], exposed: set[str]) -> list[str]:
    """Alerts and dashboards read only metrics that some service exposes."""
    return [
        f"{where}: no service exposes {name}"
        for where, query in queries(docs).items()
        for name in sorted(metric_names(query) - exposed)
    ]


def _panels(dashboard: Manifest) -> list[Manifest]:
    panels: list[Manifest] = []
    for panel in dashboard.get("panels", []):
        panels += [panel, *panel.get("panels", [])]
    return panels


def dashboard_problems(docs: Sequence[Manifest]) -> list[str]:
    """Dashboards have unique uids, and panels that query the chosen data source with the
    variables the dashboard defines."""
    problems = []
    found = dashboards(docs)
    uids = [dashboard.get("uid") for dashboard in found.values()]
    if not found or len(set(uids)) != len(uids) or None in uids:
        problems.append(f"dashboards need distinct uids: {uids}")
    for name, dashboard in found.items():
        variables = {v["name"] for v in dashboard.get("templating", {}).get("list", [])}
        builtin = {"__rate_interval", "__interval", "__range"}
        ids = [panel["id"] for panel in _panels(dashboard)]
        if len(set(ids)) != len(ids):
            problems.append(f"{name}: duplicate panel ids")
        for panel in _panels(dashboard):
            if panel["type"] == "row":
                continue
            title = f"{name} {panel.get('title')!r}"
            grid = panel.get("gridPos", {})
            if not {"h", "w", "x", "y"} <= grid.keys() or grid["x"] + grid["w"] > 24:
                problems.append(f"{title}: must sit within Grafana's 24-column grid")
            if panel.get("datasource", {}).get("uid") != "${datasource}" or not panel.get(
                "targets"
            ):
                problems.append(f"{title}: must query the $datasource variable")
            for target in panel.get("targets", []):
                used = set(re.findall(r"\$\{?(\w+)", target["expr"])) - builtin
                if missing := used - variables:
                    problems.append(f"{title}: undefined variables {sorted(missing)}")
    return problems
