"""Prometheus metrics on a per-app registry (no global default registry)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest


@dataclass(frozen=True)
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        object.__setattr__(
            self,
            "http_requests",
            Counter("hub_http_requests", "HTTP requests", ["route", "status"], registry=r),
        )
        object.__setattr__(
            self,
            "http_latency",
            Histogram("hub_http_request_seconds", "HTTP request latency", ["route"], registry=r),
        )
        object.__setattr__(
            self,
            "messages",
            Counter("hub_messages", "Inbound messages handled", ["channel", "intent"], registry=r),
        )
        object.__setattr__(
            self,
            "handle_latency",
            Histogram("hub_handle_seconds", "Hub.handle latency", ["channel"], registry=r),
        )
        object.__setattr__(
            self,
            "channel_errors",
            Counter(
                "hub_channel_errors", "Rejected channel requests", ["channel", "reason"], registry=r
            ),
        )

    http_requests: Counter = field(init=False)
    http_latency: Histogram = field(init=False)
    messages: Counter = field(init=False)
    handle_latency: Histogram = field(init=False)
    channel_errors: Counter = field(init=False)

    # Labelled children by (metric, labels): ``labels()`` takes a lock and builds a tuple of
    # strings on every call; the hot path asks for the same few children again and again.
    _children: dict[tuple[str, tuple[str, ...]], Any] = field(
        init=False, default_factory=dict, repr=False, compare=False
    )

    def _child(self, metric: str, *labels: str) -> Any:
        key = (metric, labels)
        child = self._children.get(key)
        if child is None:
            child = getattr(self, metric).labels(*labels)
            self._children[key] = child
        return child

    def count_message(self, channel: str, intent: str, seconds: float) -> None:
        """One message answered by the hub: ``hub_messages`` and ``hub_handle_seconds``."""
        self._child("messages", channel, intent).inc()
        self._child("handle_latency", channel).observe(seconds)

    def count_request(self, route: str, status: int, seconds: float) -> None:
        """One HTTP request: ``hub_http_requests`` and ``hub_http_request_seconds``."""
        self._child("http_requests", route, str(status)).inc()
        self._child("http_latency", route).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
