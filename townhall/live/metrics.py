"""The server's own counters (docs/performance.md, "Where the time goes") and their Prometheus
families (docs/deployment.md).

Each family is updated once per batch, group commit or tick, never once per vote or socket;
live figures (sockets per audience, the dedup queue) are read only when scraped. A batch or a
tick slower than its threshold is logged with its parts, at most once per `SLOW_LOG_SECONDS`
(with how many more there were), so that a sustained overload does not flood the log.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from townhall.store.tally import Tally

log = logging.getLogger(__name__)

SLOW_LOG_SECONDS = 10.0
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
_SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_SIZES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
_STATEMENTS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64, 128, 256)


class SlowLog:
    """Log what exceeded `threshold` seconds, each once, and then nothing for `quiet`
    seconds but a count of the ones left out (told with the next line)."""

    def __init__(
        self,
        what: str,
        threshold: float,
        quiet: float = SLOW_LOG_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.what = what
        self._clock = clock
        self.threshold = threshold
        self.quiet = quiet
        self.logged = 0
        self._left_out = 0
        self._quiet_until = float("-inf")

    def check(self, seconds: float, parts: Callable[[], str]) -> None:
        if seconds < self.threshold:
            return
        now = self._clock()
        if now < self._quiet_until:
            self._left_out += 1
            return
        more = f" ({self._left_out} more slow since the last line)" if self._left_out else ""
        log.warning("slow %s: %s%s", self.what, parts(), more)
        self.logged += 1
        self._left_out = 0
        self._quiet_until = now + self.quiet


class Live(Collector):
    """Figures read when scraped: sockets per audience and the dedup queue's depth."""

    def __init__(self) -> None:
        self.sockets: Callable[[], Mapping[str, int]] = dict
        self.dedup_queue: Callable[[], int] | None = None
        # With several workers each answers for its own live figures only (docs/deployment.md).
        self._pid = [str(os.getpid())] if os.environ.get(MULTIPROCESS_DIR) else []

    def collect(self) -> Iterable[Metric]:
        labels = ["pid"] if self._pid else []
        sockets = GaugeMetricFamily(
            "townhall_sockets",
            "Open event sockets of this process, per audience",
            labels=[*labels, "audience"],
        )
        for audience, count in sorted(self.sockets().items()):
            sockets.add_metric([*self._pid, audience], count)
        yield sockets
        if self.dedup_queue is not None:
            depth = GaugeMetricFamily(
                "townhall_dedup_queue_depth",
                "Questions waiting for the dedup worker of this process",
                labels=labels,
            )
            depth.add_metric(self._pid, self.dedup_queue())
            yield depth


class Metrics:
    def __init__(self, *, slow_batch_seconds: float, slow_tick_seconds: float) -> None:
        self.registry = CollectorRegistry()
        self.live = Live()
        self.registry.register(self.live)
        if not os.environ.get(MULTIPROCESS_DIR):
            from prometheus_client import GC_COLLECTOR, PLATFORM_COLLECTOR, PROCESS_COLLECTOR

            for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
                self.registry.register(collector)
        self.slow_batch = SlowLog("batch", slow_batch_seconds)
        self.slow_tick = SlowLog("tick", slow_tick_seconds)
        r = self.registry
        self.accepted = Counter(
            "townhall_accepted", "Actions accepted and committed", ["kind"], registry=r
        )
        self.shed = Counter(
            "townhall_refused_busy",
            "Actions refused as busy (the oldest waiting one had waited TOWNHALL_MAX_WAIT_SECONDS)",
            ["kind"],
            registry=r,
        )
        self.batch_size = Histogram(
            "townhall_batch_size", "Requests per batch", ["kind"], buckets=_SIZES, registry=r
        )
        self.batch_seconds = Histogram(
            "townhall_batch_seconds",
            "A batch from its closing to its answers, commit included",
            ["kind"],
            buckets=_SECONDS,
            registry=r,
        )
        self.commit_seconds = Histogram(
            "townhall_commit_seconds", "Wall time of a group commit", buckets=_SECONDS, registry=r
        )
        self.commit_actions = Histogram(
            "townhall_commit_actions",
            "Requests carried by a group commit",
            buckets=_SIZES,
            registry=r,
        )
        self.commit_statements = Histogram(
            "townhall_commit_statements",
            "Statements executed by a group commit",
            buckets=_STATEMENTS,
            registry=r,
        )
        self.commit_round_trips = Counter(
            "townhall_commit_round_trips",
            "Round trips to the database of group commits (statements, BEGIN, COMMIT)",
            registry=r,
        )
        self.commit_db_wait = Histogram(
            "townhall_commit_db_wait_seconds",
            "Time a group commit waited for the database",
            buckets=_SECONDS,
            registry=r,
        )
        self.commit_cpu = Histogram(
            "townhall_commit_cpu_seconds",
            "Python CPU of a group commit (its database waits left out)",
            buckets=_SECONDS,
            registry=r,
        )
        self.tick_render = Histogram(
            "townhall_tick_render_seconds",
            "Rendering the changed rooms in a tick",
            buckets=_SECONDS,
            registry=r,
        )
        self.tick_fan_out = Histogram(
            "townhall_tick_fan_out_seconds",
            "Handing a tick's updates to the sockets",
            buckets=_SECONDS,
            registry=r,
        )
        self.queue_reads = Counter(
            "townhall_queue_reads",
            "Queue reads of the ticks: full, or of the changed rows only (reread)",
            ["kind"],
            registry=r,
        )
        self.sockets_written = Counter(
            "townhall_tick_sockets_written",
            "Updates written straight to a socket by the ticker",
            registry=r,
        )
        self.sockets_resumed = Counter(
            "townhall_tick_sockets_resumed",
            "Updates left in an outbox, for the socket's send task to resume and drain",
            registry=r,
        )
        self.outbox_drops = Counter(
            "townhall_outbox_drops",
            "Sockets closed with 4408 because they fell behind (they resync on reconnect)",
            registry=r,
        )
        self.resyncs = Counter(
            "townhall_resyncs",
            "Full queue states sent instead of a diff because the previous update was unsent",
            registry=r,
        )

    def observe_shed(self, kind: str) -> None:
        self.shed.labels(kind).inc()

    def observe_batch(self, kind: str, size: int, seconds: float, accepted: int) -> None:
        self.batch_size.labels(kind).observe(size)
        self.batch_seconds.labels(kind).observe(seconds)
        if accepted:
            self.accepted.labels(kind).inc(accepted)

    def observe_commit(self, tally: Tally) -> None:
        self.commit_seconds.observe(tally.wall)
        self.commit_actions.observe(tally.actions)
        self.commit_statements.observe(tally.statements)
        self.commit_round_trips.inc(tally.round_trips)
        self.commit_db_wait.observe(tally.db_wait)
        self.commit_cpu.observe(tally.cpu)
        self.slow_batch.check(tally.wall, tally.parts)

    def observe_tick(
        self, render: float, fan_out: float, rooms: int, written: int, resumed: int, resyncs: int
    ) -> None:
        self.tick_render.observe(render)
        self.tick_fan_out.observe(fan_out)
        if written:
            self.sockets_written.inc(written)
        if resumed:
            self.sockets_resumed.inc(resumed)
        if resyncs:
            self.resyncs.inc(resyncs)
        self.slow_tick.check(
            render + fan_out,
            lambda: (
                f"{(render + fan_out) * 1000:.1f} ms: {rooms} rooms, render "
                f"{render * 1000:.1f} ms, fan-out {fan_out * 1000:.1f} ms, {written} sockets "
                f"written, {resumed} resumed, {resyncs} resyncs"
            ),
        )

    def exposition(self) -> bytes:
        """The text format: every worker's families in multiprocess mode, else this one's."""
        if not os.environ.get(MULTIPROCESS_DIR):
            return generate_latest(self.registry)
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # unannotated upstream
        registry.register(self.live)
        return generate_latest(registry)
