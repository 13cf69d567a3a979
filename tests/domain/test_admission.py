"""The admission rules on one process's book (the Redis book: tests/web/test_admission_redis.py)."""

from __future__ import annotations

from townhall.domain.admission import (
    NETWORK_QUESTIONS,
    NETWORK_VOTES,
    NEW_IDENTITY,
    AdmissionBook,
    AdmissionLimits,
    Attempt,
    Refusal,
)
from townhall.domain.rates import Rate, parse_rates

LIMITS = AdmissionLimits(
    new_identities=parse_rates("3/minute"),
    questions=parse_rates("2/minute"),
    supporters=Rate(2, 3600.0),
    venue_factor=10,
)


def vote(participant: str, question: int = 1, network: str = "n1") -> Attempt:
    return Attempt(participant, network, "ev", "vote", question)


def test_admission_new_identities_refused_after_the_burst() -> None:
    book = AdmissionBook(LIMITS)

    results = [book.check(vote(f"p{i}", question=i), 0.0) for i in range(4)]

    assert results == [None, None, None, Refusal(NEW_IDENTITY, 20)]


def test_admission_admitted_identity_keeps_acting_and_tokens_refill() -> None:
    book = AdmissionBook(LIMITS)
    for i in range(3):
        book.check(vote(f"p{i}", question=i), 0.0)

    again = book.check(Attempt("p0", "n1", "ev", "unvote"), 1.0)
    refilled = book.check(vote("p9", question=9), 21.0)

    assert (again, refilled) == (None, None)


def test_admission_other_networks_are_not_affected() -> None:
    book = AdmissionBook(LIMITS)
    for i in range(4):
        book.check(vote(f"p{i}", question=i), 0.0)

    assert book.check(vote("q1", network="n2"), 0.0) is None


def test_admission_full_question_refuses_without_spending_new_identities() -> None:
    book = AdmissionBook(LIMITS)
    book.check(vote("p0"), 0.0)
    book.check(vote("p1"), 0.0)

    stuffed = [book.check(vote(f"s{i}"), 1.0) for i in range(50)]
    other_question = book.check(vote("honest", question=2), 1.0)
    supporter_again = book.check(vote("p0"), 1.0)

    assert stuffed == [Refusal(NETWORK_VOTES, 3599)] * 50
    assert (other_question, supporter_again) == (None, None)


def test_admission_supporter_window_reopens_after_its_period() -> None:
    book = AdmissionBook(LIMITS)
    book.check(vote("p0"), 0.0)
    book.check(vote("p1"), 0.0)

    assert book.check(vote("p2"), 3600.5) is None


def test_admission_questions_per_network() -> None:
    book = AdmissionBook(LIMITS)

    results = [
        book.check(Attempt("p0", "n1", "ev", "submit_question", established=True), 0.0)
        for _ in range(3)
    ]

    assert results == [None, None, Refusal(NETWORK_QUESTIONS, 30)]


def test_admission_established_identity_is_not_new() -> None:
    book = AdmissionBook(LIMITS)
    for i in range(3):
        book.check(vote(f"p{i}", question=i), 0.0)

    assert book.check(Attempt("old", "n1", "ev", "vote", 7, established=True), 0.0) is None


def test_admission_venue_grant_gives_the_event_a_larger_allowance_of_its_own() -> None:
    book = AdmissionBook(LIMITS)
    for i in range(3):
        book.check(vote(f"p{i}", question=i), 0.0)
    book.grant_venue("n1", "ev", 0.0, 600.0)

    hall = [book.check(vote(f"h{i}"), 1.0) for i in range(21)]
    other_event = book.check(Attempt("x", "n1", "other", "vote", 5), 1.0)
    after_grant = [book.check(vote(f"late{i}", question=10 + i), 601.0) for i in range(4)]

    assert hall == [None] * 20 + [Refusal(NETWORK_VOTES, 3600)]
    assert other_event == Refusal(NEW_IDENTITY, 19)
    assert after_grant == [None, None, None, Refusal(NEW_IDENTITY, 20)]


def test_admission_refusal_admits_nobody() -> None:
    book = AdmissionBook(LIMITS)
    book.check(vote("p0"), 0.0)
    book.check(vote("p1"), 0.0)
    book.check(vote("s0"), 0.0)  # refused: the question is full

    last_token = book.check(vote("n0", question=2), 0.0)

    assert (last_token, book.is_admitted("s0", 0.0)) == (None, False)
