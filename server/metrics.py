"""Prometheus metrics of one server process (served at ``/metrics``)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class ServerMetrics:
    """The counters, gauges and histograms of the ingest path, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.messages = Counter(
            "streetwatch_messages_total", "MQTT messages received, by kind.", ["kind"], registry=r
        )
        self.events = Counter(
            "streetwatch_events_total",
            "Event messages by outcome (case, quarantined, sample, duplicate).",
            ["outcome"],
            registry=r,
        )
        self.dead_letters = Counter(
            "streetwatch_dead_letters_total", "Messages refused into dead letters.", registry=r
        )
        self.cases_opened = Counter(
            "streetwatch_cases_opened_total", "Cases opened by ingest.", registry=r
        )
        self.evidence = Counter(
            "streetwatch_evidence_total",
            "Evidence files by outcome (verified, mismatch, early).",
            ["outcome"],
            registry=r,
        )
        self.acks = Counter(
            "streetwatch_acked_events_total", "Event ids named in commit-acks.", registry=r
        )
        self.batch_seconds = Histogram(
            "streetwatch_batch_commit_seconds",
            "Time to process and commit one ingest batch.",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.batch_size = Histogram(
            "streetwatch_batch_messages",
            "Messages per ingest batch.",
            buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000),
            registry=r,
        )
        self.event_to_commit = Histogram(
            "streetwatch_event_to_commit_seconds",
            "From receiving an event message to its database commit.",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.queue_depth = Gauge(
            "streetwatch_ingest_queue_depth", "Messages waiting for a batch.", registry=r
        )
        self.escalations = Counter(
            "streetwatch_escalations_total", "Overdue cases escalated (督办).", registry=r
        )

        self.evidence_pruned = Counter(
            "streetwatch_evidence_pruned_total",
            "Early evidence deleted because its event never came, by what (item, file).",
            ["what"],
            registry=r,
        )
        self.released_events = Counter(
            "streetwatch_released_events_total",
            "Quarantined events admitted again after their device was registered, by outcome.",
            ["outcome"],
            registry=r,
        )

    def exposition(self) -> bytes:
        """Return the metrics in the Prometheus text format."""
        return generate_latest(self.registry)
