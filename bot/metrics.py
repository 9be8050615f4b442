"""Prometheus metrics on a per-app registry (no global default registry)."""

from __future__ import annotations

from dataclasses import dataclass, field

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

    def render(self) -> bytes:
        return generate_latest(self.registry)
