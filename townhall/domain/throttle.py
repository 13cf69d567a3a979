"""How long to wait before another attempt, given the times of recent failures (pure).

Sliding windows, unlike token buckets, can be answered from stored failure times alone, so
every worker reading the same table agrees (web/sign_in_limits.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from townhall.domain.rates import Rate


def longest_window(rates: Sequence[Rate]) -> timedelta:
    return timedelta(seconds=max(rate.seconds for rate in rates))


def most_failures(rates: Sequence[Rate]) -> int:
    return max(rate.count for rate in rates)


def wait_seconds(failures: Sequence[datetime], rates: Sequence[Rate], now: datetime) -> float:
    """Seconds until one more attempt is allowed (0: now). `failures` newest first.

    A rate of N per T allows an attempt when fewer than N failures fall in the last T; once
    N have, the wait ends when the Nth newest of them leaves the window.
    """
    wait = 0.0
    for rate in rates:
        window_start = now - timedelta(seconds=rate.seconds)
        inside = [moment for moment in failures if moment > window_start]
        if len(inside) >= rate.count:
            frees_at = inside[rate.count - 1] + timedelta(seconds=rate.seconds)
            wait = max(wait, (frees_at - now).total_seconds())
    return wait
