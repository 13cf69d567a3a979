"""Flood limits per participant and per socket, with the maintained `limits` library
(moving windows in memory; each worker limits what reaches it)."""

from __future__ import annotations

from limits import RateLimitItem, parse_many, storage, strategies

QUESTION_ACTIONS = frozenset({"submit_question"})


class ActionLimits:
    def __init__(self, questions: str, actions: str, frames: str) -> None:
        self._limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())
        self._questions = parse_many(questions)
        self._actions = parse_many(actions)
        self._frames = parse_many(frames)

    def _hit(self, items: list[RateLimitItem], key: str) -> bool:
        # Test every window first so a refused hit does not use up the others.
        if not all(self._limiter.test(item, key) for item in items):
            return False
        return all(self._limiter.hit(item, key) for item in items)

    def allow_action(self, participant_id: str, action: str, *, moderator: bool) -> bool:
        """Moderators are not limited: they act for the audience, under time pressure."""
        if moderator:
            return True
        if action in QUESTION_ACTIONS:
            return self._hit(self._questions, f"q:{participant_id}")
        return self._hit(self._actions, f"a:{participant_id}")

    def allow_frame(self, connection_key: str) -> bool:
        return self._hit(self._frames, f"f:{connection_key}")
