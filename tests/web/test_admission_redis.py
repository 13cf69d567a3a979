"""The admission book in Redis: the same rules as the memory book, shared by workers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis
from conftest import REDIS_URL

from townhall.domain.admission import (
    NETWORK_QUESTIONS,
    NETWORK_VOTES,
    NEW_IDENTITY,
    AdmissionLimits,
    Attempt,
    Refusal,
)
from townhall.domain.rates import Rate, parse_rates
from townhall.web.admission_redis import RedisAdmissionBook

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not REDIS_URL, reason="needs TOWNHALL_TEST_REDIS_URL"),
]

LIMITS = AdmissionLimits(
    new_identities=parse_rates("3/minute"),
    questions=parse_rates("2/minute"),
    supporters=Rate(2, 3600.0),
    venue_factor=10,
)


@pytest.fixture
async def books() -> AsyncIterator[tuple[RedisAdmissionBook, RedisAdmissionBook]]:
    """Two books on two connections, like two worker processes."""
    assert REDIS_URL is not None
    one = RedisAdmissionBook(redis.Redis.from_url(REDIS_URL), LIMITS)
    two = RedisAdmissionBook(redis.Redis.from_url(REDIS_URL), LIMITS)
    yield one, two
    await one.close()
    await two.close()


@pytest.fixture
def net() -> str:
    return uuid.uuid4().hex  # keys of their own in the shared Redis


def vote(net: str, participant: str, question: int = 1) -> Attempt:
    return Attempt(f"{net}-{participant}", net, "ev", "vote", question)


async def test_redis_admission_new_identities_counted_across_workers(
    books: tuple[RedisAdmissionBook, RedisAdmissionBook], net: str
) -> None:
    one, two = books

    results = [await (one, two)[i % 2].check(vote(net, f"p{i}", i)) for i in range(4)]
    admitted_again = await two.check(Attempt(f"{net}-p0", net, "ev", "unvote"))

    assert results[:3] == [None, None, None]
    assert results[3] is not None and results[3].code == NEW_IDENTITY
    assert 19 <= results[3].retry_after <= 20
    assert admitted_again is None


async def test_redis_admission_full_question_refuses_without_spending_identities(
    books: tuple[RedisAdmissionBook, RedisAdmissionBook], net: str
) -> None:
    one, _ = books
    await one.check(vote(net, "p0"))
    await one.check(vote(net, "p1"))

    stuffed = [await one.check(vote(net, f"s{i}")) for i in range(20)]
    other_question = await one.check(vote(net, "honest", 2))
    supporter_again = await one.check(vote(net, "p0"))

    assert {refused.code if refused else None for refused in stuffed} == {NETWORK_VOTES}
    assert (other_question, supporter_again) == (None, None)


async def test_redis_admission_questions_per_network(
    books: tuple[RedisAdmissionBook, RedisAdmissionBook], net: str
) -> None:
    one, two = books
    ask = Attempt(f"{net}-p", net, "ev", "submit_question", established=True)

    results = [await one.check(ask), await two.check(ask), await one.check(ask)]

    assert results == [None, None, Refusal(NETWORK_QUESTIONS, 30)]


async def test_redis_admission_venue_grant_is_larger_and_per_event(
    books: tuple[RedisAdmissionBook, RedisAdmissionBook], net: str
) -> None:
    one, two = books
    for i in range(3):
        await one.check(vote(net, f"p{i}", i))
    await one.grant_venue(net, "ev", 60)

    hall = [await two.check(vote(net, f"h{i}", 50)) for i in range(21)]
    other_event = await two.check(Attempt(f"{net}-x", net, "other", "vote", 5))

    assert hall[:20] == [None] * 20
    assert hall[20] is not None and hall[20].code == NETWORK_VOTES
    assert other_event is not None and other_event.code == NEW_IDENTITY
