"""What the matching service reports to Prometheus beyond the kit's metrics."""

from __future__ import annotations

from mentorship_kit.metrics import Metrics

RUN_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)


class MatchingMetrics:
    """Runs, their stages and the pairs they create and end."""

    def __init__(self, metrics: Metrics) -> None:
        self.runs = metrics.counter(
            "matching_runs_total", "Matching runs finished, by kind and outcome.", "kind", "outcome"
        )
        self.run_seconds = metrics.histogram(
            "matching_run_seconds",
            "Wall time of a run from claim to proposal, by kind.",
            "kind",
            buckets=RUN_BUCKETS,
        )
        self.stage_seconds = metrics.histogram(
            "matching_solve_stage_seconds",
            "Time spent in each stage of the optimisation (scoring, pairs, build, score).",
            "stage",
            buckets=RUN_BUCKETS,
        )
        self.gap = metrics.gauge(
            "matching_last_run_gap", "Relative optimality gap of the last proposal (0: optimal)."
        )
        self.pairs_created = metrics.counter(
            "matching_pairs_created_total", "Pairs created by approved runs."
        )
        self.pairs_skipped = metrics.counter(
            "matching_pairs_skipped_total",
            "Proposed pairs an approval could no longer create (someone left or was paired).",
        )
        self.pairs_ended = metrics.counter(
            "matching_pairs_ended_total", "Pairs ended, by reason.", "reason"
        )
