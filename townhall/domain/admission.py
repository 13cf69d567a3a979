"""Who may act for the first time, and how much one network may do (docs/integrity.md).

An identity (a participant cookie) counts as *created* the first time it acts (asks, votes,
anything), not when its cookie is issued: reading the page costs a network nothing. From then
on it is *admitted*. Per network (an IPv4 address or an IPv6 /64, as a keyed hash):

- new identities: token buckets (`TOWNHALL_RATE_NEW_IDENTITIES`);
- questions asked by all its identities together (`TOWNHALL_RATE_NETWORK_QUESTIONS`);
- distinct supporters of one question: a window that opens with the first vote and holds at
  most `count` people (`TOWNHALL_RATE_NETWORK_SUPPORTERS`). It is checked before a newcomer is
  admitted, so a script that filled one question stops spending the network's allowance for
  new identities and the people next to it can still join.

A network with a venue grant for an event (it opened the stage screen's join link) has buckets
of its own for that event, `venue_factor` times larger.

Pure: the caller passes the time. `AdmissionBook` is the one-process book; the Redis book
(web/admission_redis.py) applies the same rules in one Lua script, for several workers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from townhall.domain.rates import Rate, TokenBuckets, scaled

NEW_IDENTITY = "new_identity_limit"
NETWORK_VOTES = "network_vote_limit"
NETWORK_QUESTIONS = "network_question_limit"

ADMITTED_SECONDS = 86_400.0  # then the stored participant row vouches for it (web/admission.py)


@dataclass(frozen=True)
class AdmissionLimits:
    new_identities: tuple[Rate, ...]
    questions: tuple[Rate, ...]
    supporters: Rate  # distinct supporters of one question from one network per window
    venue_factor: int


@dataclass(frozen=True)
class Attempt:
    participant: str
    network: str
    event: str  # slug: venue grants are per event
    action: str
    question_id: int | None = None  # for a vote
    established: bool = False  # known to have acted before (a stored participant)

    @property
    def kind(self) -> str:
        if self.action == "vote" and self.question_id is not None:
            return "vote"
        return "ask" if self.action == "submit_question" else "other"


@dataclass(frozen=True)
class Refusal:
    code: str
    retry_after: int  # whole seconds, at least 1


def refusal(code: str, seconds: float) -> Refusal:
    return Refusal(code, max(1, math.ceil(seconds)))


def venue_scope(network: str, event: str) -> str:
    return f"{network}@{event}"


class AdmissionBook:
    def __init__(
        self,
        limits: AdmissionLimits,
        *,
        admitted_seconds: float = ADMITTED_SECONDS,
        max_keys: int = 200_000,
    ) -> None:
        self._limits = limits
        factor = limits.venue_factor
        self._identities = {
            False: TokenBuckets(limits.new_identities, max_keys=max_keys),
            True: TokenBuckets(scaled(limits.new_identities, factor), max_keys=max_keys),
        }
        self._questions = {
            False: TokenBuckets(limits.questions, max_keys=max_keys),
            True: TokenBuckets(scaled(limits.questions, factor), max_keys=max_keys),
        }
        self._supporters: dict[str, tuple[float, set[str]]] = {}  # key -> (window end, who)
        self._admitted: dict[str, float] = {}  # participant -> until
        self._venues: dict[str, float] = {}  # network@event -> until
        self._admitted_seconds = admitted_seconds
        self._max_keys = max_keys

    def grant_venue(self, network: str, event: str, now: float, seconds: float) -> None:
        if len(self._venues) >= self._max_keys:
            self._venues = {key: until for key, until in self._venues.items() if until > now}
        self._venues[venue_scope(network, event)] = now + seconds

    def has_venue(self, network: str, event: str, now: float) -> bool:
        return self._venues.get(venue_scope(network, event), 0.0) > now

    def is_admitted(self, participant: str, now: float) -> bool:
        return self._admitted.get(participant, 0.0) > now

    def check(self, attempt: Attempt, now: float) -> Refusal | None:
        """None and the attempt is counted, or a refusal and nothing is counted."""
        venue = self.has_venue(attempt.network, attempt.event, now)
        scope = venue_scope(attempt.network, attempt.event) if venue else attempt.network
        admitted = attempt.established or self.is_admitted(attempt.participant, now)
        kind = attempt.kind
        supporters_key = f"{scope}:{attempt.question_id}"
        if kind == "vote":
            cap = self._limits.supporters.count * (self._limits.venue_factor if venue else 1)
            end, who = self._supporters.get(supporters_key, (0.0, set()))
            if end > now and attempt.participant not in who and len(who) >= cap:
                return refusal(NETWORK_VOTES, end - now)
        if kind == "ask":
            wait = self._questions[venue].wait(scope, now)
            if wait > 0:
                return refusal(NETWORK_QUESTIONS, wait)
        if not admitted:
            wait = self._identities[venue].wait(scope, now)
            if wait > 0:
                return refusal(NEW_IDENTITY, wait)
        # Everything allows it: count it.
        if kind == "ask":
            self._questions[venue].allow(scope, now)
        if not admitted:
            self._identities[venue].allow(scope, now)
            self._admit(attempt.participant, now)
        if kind == "vote":
            self._support(supporters_key, attempt.participant, now)
        return None

    def _admit(self, participant: str, now: float) -> None:
        if len(self._admitted) >= self._max_keys:
            self._admitted = {key: until for key, until in self._admitted.items() if until > now}
            if len(self._admitted) >= self._max_keys:  # all current: forget the oldest half
                keep = list(self._admitted.items())[self._max_keys // 2 :]
                self._admitted = dict(keep)
        self._admitted[participant] = now + self._admitted_seconds

    def _support(self, key: str, participant: str, now: float) -> None:
        end, who = self._supporters.get(key, (0.0, set()))
        if end <= now:
            if len(self._supporters) >= self._max_keys:
                self._supporters = {k: v for k, v in self._supporters.items() if v[0] > now}
            end, who = now + self._limits.supporters.seconds, set()
            self._supporters[key] = (end, who)
        who.add(participant)
