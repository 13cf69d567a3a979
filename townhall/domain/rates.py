"""Rate limits as token buckets (pure: the caller passes the time in).

Written here rather than taken from the `limits` library: its in-memory storage starts a
timer thread every 10 ms to expire entries, which cost about 6% of server CPU under load
(docs/performance.md). Buckets refill continuously and idle ones are simply dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(second|minute|hour|day)s?\s*$")


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: float


def parse_rates(text: str) -> tuple[Rate, ...]:
    """'5/minute;30/hour' or '60/10seconds' -> rates; ValueError names the bad part."""
    rates = []
    for part in text.split(";"):
        match = _RATE.match(part)
        if match is None or int(match.group(1)) < 1:
            raise ValueError(f"not a rate: {part!r} (write it like '5/minute' or '60/10seconds')")
        span = int(match.group(2) or 1) * _UNITS[match.group(3)]
        rates.append(Rate(int(match.group(1)), float(span)))
    return tuple(rates)


def scaled(rates: tuple[Rate, ...], factor: int) -> tuple[Rate, ...]:
    """The same windows with `factor` times the count (a venue's larger allowance)."""
    return tuple(Rate(rate.count * factor, rate.seconds) for rate in rates)


class TokenBuckets:
    """One bucket per key and rate; a hit needs a token in every one of the key's buckets."""

    def __init__(self, rates: tuple[Rate, ...], *, max_keys: int = 200_000) -> None:
        self._rates = rates
        self._buckets: dict[str, tuple[list[float], float]] = {}
        self._max_keys = max_keys

    def allow(self, key: str, now: float) -> bool:
        tokens = self._refilled(key, now)
        if any(held < 1 for held in tokens):
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = ([held - 1 for held in tokens], now)
        return True

    def wait(self, key: str, now: float) -> float:
        """Seconds until `allow` would succeed (0 when it would now); takes nothing."""
        tokens = self._refilled(key, now)
        return max(
            ((1 - held) * rate.seconds / rate.count if held < 1 else 0.0)
            for held, rate in zip(tokens, self._rates, strict=True)
        )

    def _refilled(self, key: str, now: float) -> list[float]:
        entry = self._buckets.get(key)
        if entry is None:
            if len(self._buckets) >= self._max_keys:
                self._forget_idle(now)
            return [float(rate.count) for rate in self._rates]
        tokens, last = entry
        elapsed = now - last
        return [
            min(rate.count, held + elapsed * rate.count / rate.seconds)
            for held, rate in zip(tokens, self._rates, strict=True)
        ]

    def _forget_idle(self, now: float) -> None:
        longest = max(rate.seconds for rate in self._rates)
        self._buckets = {
            key: entry for key, entry in self._buckets.items() if now - entry[1] < longest
        }
