"""Which metrics a PromQL expression reads, and which ones a service exposes.

Not a PromQL parser: a tokenizer that drops what cannot be a metric name (strings, label
matchers, ranges, numbers and durations, Grafana variables, the label lists of by/without/on/
ignoring/group_left/group_right, function and aggregation names, keywords) and keeps the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

_STRINGS = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGES = re.compile(r"\[[^\[\]]*\]")
_VARIABLES = re.compile(r"\$\{[^}]*\}|\$\w+")
_LABEL_LISTS = re.compile(
    r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)", re.IGNORECASE
)
_NUMBERS = re.compile(r"(?<![\w:])\d[\w.]*")
_IDENTIFIER = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_KEYWORDS = frozenset(
    {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right"}
    | {"bool", "offset", "inf", "nan"}
)
_LABEL_VALUES = re.compile(r"^\s*label_values\((.*),\s*\w+\s*\)\s*$", re.DOTALL)

SYNTHETIC = frozenset({"up"})
"""Series Prometheus writes itself for every target, whatever it exposes."""

SUFFIXES = {
    "counter": ("_total",),
    "histogram": ("_bucket", "_sum", "_count"),
    "summary": ("", "_sum", "_count"),
    "info": ("_info",),
}
"""The series each metric type is queried by (gauges and untyped metrics by their name)."""


def metric_names(expression: str) -> set[str]:
    """The metric names an expression (or a Grafana ``label_values(...)`` query) selects."""
    if match := _LABEL_VALUES.match(expression):
        expression = match.group(1)
    text = _STRINGS.sub(" ", expression)
    text = _MATCHERS.sub(" ", text)
    text = _VARIABLES.sub(" ", text)
    text = _RANGES.sub(" ", text)
    text = _LABEL_LISTS.sub(" ", text)
    text = _NUMBERS.sub(" ", text)
    names = set()
    for token in _IDENTIFIER.finditer(text):
        name = token.group()
        is_call = text[token.end() :].lstrip().startswith("(")
        if not is_call and name.lower() not in _KEYWORDS:
            names.add(name)
    return names


def queryable(families: Iterable[tuple[str, str]]) -> set[str]:
    """The series names that (name, type) metric families can be queried by."""
    names = set(SYNTHETIC)
    for name, kind in families:
        if kind == "counter":
            base = name.removesuffix("_total")
            names |= {base, f"{base}_total"}
        else:
            names |= {f"{name}{suffix}" for suffix in SUFFIXES.get(kind, ("",))}
    return names


def exposition_families(text: str) -> Iterator[tuple[str, str]]:
    """The (name, type) pairs of the ``# TYPE`` lines of a Prometheus text exposition."""
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(maxsplit=3)
            yield name, kind.strip()


def dashboard_queries(dashboard: dict[str, Any]) -> Iterator[str]:
    """Every PromQL query of a Grafana dashboard: panel targets (rows included) and variables."""
    panels: list[dict[str, Any]] = list(dashboard.get("panels", []))
    while panels:
        panel = panels.pop()
        panels.extend(panel.get("panels", []))
        yield from (target["expr"] for target in panel.get("targets", []) if "expr" in target)
    for variable in dashboard.get("templating", {}).get("list", []):
        query = variable.get("query")
        if variable.get("type") == "query":
            yield query["query"] if isinstance(query, dict) else query
