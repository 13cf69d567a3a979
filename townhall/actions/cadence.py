"""When a batch of votes (or questions) closes: a fixed time after its first request, or just
before the hub's next tick.

Other screens see a committed vote only at the hub's next tick (live/hub.py). At a small event
a batch closed 50 ms after its first vote commits four times between two ticks, and each
commit costs milliseconds of CPU whatever it holds; closing it just before the tick commits
once per tick, and every vote still reaches the other screens at the same tick. What grows is
the wait for the voter's own acknowledgement (up to a tick). Under load nothing changes: a
batch whose first request has waited a whole tick already closes at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Protocol

# The share of a new batch's duration in the running estimate of how long one takes.
_WEIGHT = 0.2


class Closing(Protocol):
    def closes_at(self, arrived: float, now: float) -> float:
        """The loop time at which a batch whose first request arrived at `arrived` closes."""

    def observe(self, seconds: float) -> None:
        """How long a batch took from closing to its last answer."""


class FixedWindow:
    """A batch closes `seconds` after its first request arrived."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def closes_at(self, arrived: float, now: float) -> float:
        return arrived + self.seconds

    def observe(self, seconds: float) -> None:
        pass


class BeforeTick:
    """A batch closes early enough before the next tick to commit in time for it.

    `next_tick()` is the loop time the hub's ticker next wakes at; `period` its tick. The lead
    is twice a running estimate of how long a batch takes (at least `minimum_lead`, at most
    half a tick). Shared by the vote and question batchers, so that both close at the same
    moment and the group committer puts them into one transaction.
    """

    def __init__(
        self, next_tick: Callable[[], float], period: float, *, minimum_lead: float = 0.01
    ) -> None:
        self._next_tick = next_tick
        self.period = period
        self.minimum_lead = minimum_lead
        self.estimate = 0.0  # seconds a batch takes, smoothed

    @property
    def lead(self) -> float:
        return min(self.period / 2, max(self.minimum_lead, 2 * self.estimate))

    def observe(self, seconds: float) -> None:
        if self.estimate == 0.0:
            self.estimate = seconds
        else:
            self.estimate += _WEIGHT * (seconds - self.estimate)

    def closes_at(self, arrived: float, now: float) -> float:
        lead = self.lead
        tick = self._next_tick()
        if tick - lead < now:  # too late for that tick (or the ticker has not run yet)
            tick += math.ceil((now - tick + lead) / self.period) * self.period
        # Never more than a tick after the first request: under load it closes at once.
        return min(tick - lead, arrived + self.period)
