"""Token-bucket rate limits."""

from __future__ import annotations

import pytest

from townhall.domain.rates import Rate, TokenBuckets, parse_rates


def test_parse_rates_reads_several_windows() -> None:
    assert parse_rates("5/minute; 30/hour;60/10seconds") == (
        Rate(5, 60.0),
        Rate(30, 3600.0),
        Rate(60, 10.0),
    )


@pytest.mark.parametrize("text", ["", "five/minute", "5/fortnight", "0/second", "5"])
def test_parse_rates_refuses_nonsense(text: str) -> None:
    with pytest.raises(ValueError, match="not a rate"):
        parse_rates(text)


def test_token_buckets_allow_a_burst_then_refill_over_time() -> None:
    buckets = TokenBuckets(parse_rates("3/10seconds"))

    burst = [buckets.allow("p", now=0.0) for _ in range(4)]
    later = buckets.allow("p", now=3.4)  # one token back after 3.33 s
    other = buckets.allow("q", now=3.4)

    assert (burst, later, other) == ([True, True, True, False], True, True)


def test_token_buckets_every_window_must_allow() -> None:
    buckets = TokenBuckets(parse_rates("5/second;6/minute"))

    hits = [buckets.allow("p", now=float(second)) for second in range(8)]

    assert hits == [True] * 6 + [False, False]
