"""Where a question's support comes from, and whether a burst of it looks automated (pure).

The moderator sees, for one question group, how much of its counted support came from
identities that were only minutes old when they voted, which networks (keyed hashes, never
addresses) gave the most, and how fast votes arrived lately. A burst is flagged by two plain
rules over the votes of the last window (docs/integrity.md, "Where support comes from"):

- `one_network_new_identities`: one network gave at least `network_votes` votes from new
  identities in the window, and they are at least `network_share` of all the window's votes
  (a script minting cookies from one address; a hall behind one NAT looks the same at the
  start of an event, which is why this is a flag for a person and not an automatic cut).
- `new_identities_surge`: at least `surge_votes` votes in the window came from new
  identities, whatever their networks, and they are at least `surge_share` of the window's
  votes (the same script spread over many addresses).

Both the breakdown and the moderator queue's flag go through `detect_burst`, so they agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

ONE_NETWORK = "one_network_new_identities"
SURGE = "new_identities_surge"


@dataclass(frozen=True)
class BurstRules:
    window: timedelta = timedelta(minutes=5)
    new_identity: timedelta = timedelta(minutes=10)  # younger than this when voting = new
    network_votes: int = 20
    network_share: float = 0.6
    surge_votes: int = 50
    surge_share: float = 0.8
    top_networks: int = 5


RULES = BurstRules()


@dataclass(frozen=True)
class SupportVote:
    """One person's counted support for the group (their earliest counted vote in it)."""

    participant: str
    voted_at: datetime
    identity_created_at: datetime
    network: str | None  # keyed hash; None when unknown or cleared after retention

    def is_new(self, rules: BurstRules) -> bool:
        return _utc(self.voted_at) - _utc(self.identity_created_at) < rules.new_identity


@dataclass(frozen=True)
class NetworkCount:
    """Votes of one network in the window, and how many of them came from new identities."""

    network: str | None
    votes: int
    new_identities: int


@dataclass(frozen=True)
class Burst:
    reason: str
    network: str | None  # the network for ONE_NETWORK, None for SURGE
    votes: int  # the new identities' votes that tripped the rule
    window_votes: int


@dataclass(frozen=True)
class NetworkShare:
    network: str
    votes: int
    share: float
    new_identities: int


@dataclass(frozen=True)
class SupportSummary:
    supporters: int
    new_identities: int
    new_share: float
    top_networks: tuple[NetworkShare, ...]
    unknown_network: int
    window_votes: int
    per_minute: float
    burst: Burst | None


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _share(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def detect_burst(counts: Iterable[NetworkCount], rules: BurstRules = RULES) -> Burst | None:
    """The first rule that a window's per-network counts trip, or None."""
    counts = list(counts)
    total = sum(count.votes for count in counts)
    if not total:
        return None
    known = [count for count in counts if count.network is not None]
    busiest = max(known, key=lambda c: (c.new_identities, c.network or ""), default=None)
    if (
        busiest is not None
        and busiest.new_identities >= rules.network_votes
        and busiest.new_identities >= rules.network_share * total
    ):
        return Burst(ONE_NETWORK, busiest.network, busiest.new_identities, total)
    new = sum(count.new_identities for count in counts)
    if new >= rules.surge_votes and new >= rules.surge_share * total:
        return Burst(SURGE, None, new, total)
    return None


def window_counts(
    votes: Iterable[SupportVote], since: datetime, rules: BurstRules = RULES
) -> list[NetworkCount]:
    totals: Counter[str | None] = Counter()
    new: Counter[str | None] = Counter()
    for vote in votes:
        if _utc(vote.voted_at) > since:
            totals[vote.network] += 1
            new[vote.network] += vote.is_new(rules)
    return [
        NetworkCount(network, totals[network], new[network])
        for network in sorted(totals, key=lambda n: (n is None, n or ""))
    ]


def summarise(
    votes: Sequence[SupportVote], now: datetime, rules: BurstRules = RULES
) -> SupportSummary:
    """The breakdown a moderator sees for one group (`votes`: one per counted person)."""
    now = _utc(now)
    earliest: dict[str, SupportVote] = {}
    for vote in sorted(votes, key=lambda v: (_utc(v.voted_at), v.participant)):
        earliest.setdefault(vote.participant, vote)
    people = list(earliest.values())
    total = len(people)
    new = sum(vote.is_new(rules) for vote in people)
    by_network: Counter[str] = Counter(v.network for v in people if v.network is not None)
    new_by_network: Counter[str] = Counter(
        v.network for v in people if v.network is not None and v.is_new(rules)
    )
    top = sorted(by_network.items(), key=lambda item: (-item[1], item[0]))[: rules.top_networks]
    counts = window_counts(people, now - rules.window, rules)
    window_votes = sum(count.votes for count in counts)
    minutes = rules.window.total_seconds() / 60
    return SupportSummary(
        supporters=total,
        new_identities=new,
        new_share=_share(new, total),
        top_networks=tuple(
            NetworkShare(network, n, _share(n, total), new_by_network[network])
            for network, n in top
        ),
        unknown_network=total - sum(by_network.values()),
        window_votes=window_votes,
        per_minute=round(window_votes / minutes, 2),
        burst=detect_burst(counts, rules),
    )
