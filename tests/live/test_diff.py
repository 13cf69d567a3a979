"""Queue diffs carry exactly what changed and rebuild the same body."""

from __future__ import annotations

from typing import Any

from townhall.live.diff import apply_diff, queue_diff


def item(qid: int, votes: int, text: str = "") -> dict[str, Any]:
    return {"id": qid, "text": text or f"question {qid}", "votes": votes, "merged": []}


def body(
    open_: list[dict[str, Any]], now: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "event": {"slug": "e"},
        "totals": {"questions": len(open_), "votes": sum(i["votes"] for i in open_)},
        "now_answering": now,
        "open": open_,
        "answered": [],
        **extra,
    }


def test_queue_diff_one_vote_sends_one_item_and_the_new_order() -> None:
    before = body([item(1, 3), item(2, 3)])
    after = body([item(2, 4), item(1, 3)])

    diff = queue_diff(before, after)

    assert diff == {
        "items": [],
        "votes": [[2, 4]],
        "removed": [],
        "order": {"open": [2, 1]},
        "totals": {"questions": 2, "votes": 7},
    }
    assert apply_diff(before, diff) == after


def test_queue_diff_item_with_more_than_its_votes_changed_travels_whole() -> None:
    before = body([item(1, 3, "Old wording?")])
    after = body([item(1, 4, "New wording?")])

    diff = queue_diff(before, after)

    assert (diff["items"], "votes" in diff) == ([item(1, 4, "New wording?")], False)
    assert apply_diff(before, diff) == after


def test_queue_diff_question_moves_on_stage_and_one_disappears() -> None:
    before = body([item(1, 3), item(2, 2), item(3, 1)])
    after = body([item(3, 1)], now=item(1, 3), answered=[item(2, 2)])

    diff = queue_diff(before, after)

    assert diff["items"] == []
    assert diff["order"] == {"open": [3], "answered": [2], "now_answering": [1]}
    assert apply_diff(before, diff) == after


def test_queue_diff_unchanged_is_empty() -> None:
    same = body([item(1, 1)], pending=[item(5, 1)])

    assert queue_diff(same, same) == {"items": [], "removed": [], "order": {}}
