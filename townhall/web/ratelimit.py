"""Flood limits per participant and per socket (token buckets, townhall/domain/rates.py)."""

from __future__ import annotations

import time

from townhall.domain.rates import TokenBuckets, parse_rates

QUESTION_ACTIONS = frozenset({"submit_question"})


class ActionLimits:
    def __init__(self, questions: str, actions: str, frames: str) -> None:
        self._questions = TokenBuckets(parse_rates(questions))
        self._actions = TokenBuckets(parse_rates(actions))
        self._frames = TokenBuckets(parse_rates(frames))

    def allow_action(self, participant_id: str, action: str, *, moderator: bool) -> bool:
        """Moderators are not limited: they act for the audience, under time pressure."""
        if moderator:
            return True
        buckets = self._questions if action in QUESTION_ACTIONS else self._actions
        return buckets.allow(participant_id, time.monotonic())

    def allow_frame(self, connection_key: str) -> bool:
        return self._frames.allow(connection_key, time.monotonic())
