"""Where support comes from: the moderator's breakdown and the burst rules (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from townhall.domain.provenance import (
    ONE_NETWORK,
    SURGE,
    Burst,
    NetworkCount,
    NetworkShare,
    SupportSummary,
    SupportVote,
    detect_burst,
    summarise,
    window_counts,
)

NOW = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)


def _vote(n: int, network: str | None, *, age: timedelta, ago: timedelta) -> SupportVote:
    voted = NOW - ago
    return SupportVote(f"p{n:04}", voted, voted - age, network)


def test_summarise_burst_from_one_network_of_new_identities() -> None:
    honest = [
        _vote(n, f"net{n % 3}", age=timedelta(days=1), ago=timedelta(hours=1)) for n in range(9)
    ]
    script = [
        _vote(100 + n, "bad", age=timedelta(seconds=2), ago=timedelta(seconds=n)) for n in range(30)
    ]

    summary = summarise(honest + script, NOW)

    assert summary == SupportSummary(
        supporters=39,
        new_identities=30,
        new_share=0.769,
        top_networks=(
            NetworkShare("bad", 30, 0.769, 30),
            NetworkShare("net0", 3, 0.077, 0),
            NetworkShare("net1", 3, 0.077, 0),
            NetworkShare("net2", 3, 0.077, 0),
        ),
        unknown_network=0,
        window_votes=30,
        per_minute=6.0,
        burst=Burst(ONE_NETWORK, "bad", 30, 30),
    )


def test_summarise_counts_a_person_once_by_their_earliest_vote() -> None:
    first = SupportVote("p1", NOW - timedelta(hours=2), NOW - timedelta(days=3), "a")
    again = SupportVote("p1", NOW - timedelta(minutes=1), NOW - timedelta(days=3), "b")

    summary = summarise([again, first], NOW)

    assert (summary.supporters, summary.top_networks, summary.window_votes) == (
        1,
        (NetworkShare("a", 1, 1.0, 0),),
        0,
    )


def test_summarise_empty_group_has_no_burst() -> None:
    assert summarise([], NOW) == SupportSummary(0, 0, 0.0, (), 0, 0, 0.0, None)


def test_detect_burst_one_network_needs_its_share_of_the_window() -> None:
    # 20 new identities on one network, but 20 older voters elsewhere in the same minutes:
    # 50% is below the 60% share, so no flag (a busy honest moment).
    counts = [NetworkCount("nat", 20, 20), NetworkCount("other", 20, 0)]

    assert detect_burst(counts) is None
    assert detect_burst([NetworkCount("nat", 20, 20), NetworkCount("other", 13, 0)]) == Burst(
        ONE_NETWORK, "nat", 20, 33
    )


def test_detect_burst_surge_of_new_identities_across_networks() -> None:
    counts = [NetworkCount(f"n{i}", 5, 5) for i in range(10)] + [NetworkCount(None, 5, 0)]

    assert detect_burst(counts) == Burst(SURGE, None, 50, 55)


def test_detect_burst_old_identities_never_flag() -> None:
    assert detect_burst([NetworkCount("office", 200, 0)]) is None


def test_window_counts_only_the_window_and_unknown_networks_apart() -> None:
    votes = [
        _vote(1, "a", age=timedelta(minutes=1), ago=timedelta(minutes=1)),
        _vote(2, "a", age=timedelta(minutes=30), ago=timedelta(minutes=2)),
        _vote(3, None, age=timedelta(minutes=1), ago=timedelta(minutes=3)),
        _vote(4, "a", age=timedelta(minutes=1), ago=timedelta(minutes=6)),
    ]

    assert window_counts(votes, NOW - timedelta(minutes=5)) == [
        NetworkCount("a", 2, 1),
        NetworkCount(None, 1, 1),
    ]


def test_support_vote_naive_times_are_utc() -> None:
    vote = SupportVote("p", datetime(2026, 1, 1, 12, 5), datetime(2026, 1, 1, 12, 0), "a")

    assert summarise([vote], datetime(2026, 1, 1, 12, 6, tzinfo=UTC)).new_identities == 1
