"""The public record's assembly: order of answers, takes, merges, what stays private."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from townhall.domain.organisations import Endorsed
from townhall.domain.record import (
    Licence,
    QuestionRow,
    RecordEvent,
    Recording,
    RecordInputs,
    TakeRow,
    build_record,
    csv_rows,
    groups_from,
    take_moments,
)

START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def row(
    id_: int, status: str, *, root: int | None = None, votes: int = 0, **kw: object
) -> QuestionRow:
    return QuestionRow(
        id=id_,
        root_id=root or id_,
        status=status,
        text=kw.pop("text", f"Question {id_}?"),  # type: ignore[arg-type]
        language=kw.pop("language", "en"),  # type: ignore[arg-type]
        asked_at=at(id_),
        supporters=votes,
        status_changed_at=kw.pop("changed", None),  # type: ignore[arg-type]
    )


def take(
    question_id: int, minutes: float, action: str = "answering", before: str = "open"
) -> TakeRow:
    return TakeRow(question_id, action, before, at(minutes))


def inputs(rows: list[QuestionRow], takes: list[TakeRow], **kw: object) -> RecordInputs:
    event = RecordEvent(
        slug="d1",
        title="Dialogue",
        kind="informal_dialogue",
        starts_at=START,
        ends_at=at(90),
        timezone="UTC",
        updated_at=START,
    )
    return RecordInputs(
        event=event, origin="https://th.example", groups=groups_from(rows, takes), **kw
    )  # type: ignore[arg-type]


def test_take_moments_counts_stage_and_direct_answers_not_ends() -> None:
    entries = [
        take(1, 5),  # on stage
        take(1, 9, "answered", "answering"),  # its end: not a take
        take(2, 12, "answered", "open"),  # answered straight from the queue
        take(3, 20, "hide", "open"),
    ]

    assert take_moments(entries) == {1: [at(5)], 2: [at(12)]}


def test_record_answered_in_the_order_taken_not_by_id_or_votes() -> None:
    rows = [row(1, "answered", votes=1), row(2, "answered", votes=9), row(3, "answering", votes=4)]
    takes = [take(2, 5), take(3, 40), take(1, 20)]

    record = build_record(inputs(rows, takes))

    assert [(q["position"], q["id"], q["taken_at"]) for q in record["answered"]] == [
        (1, 2, "2026-12-01T15:05:00Z"),
        (2, 1, "2026-12-01T15:20:00Z"),
        (3, 3, "2026-12-01T15:40:00Z"),
    ]


def test_record_links_each_answer_into_the_recording() -> None:
    rows = [row(1, "answered"), row(2, "answered")]
    recording = Recording("https://youtu.be/x", at(-2))

    record = build_record(inputs(rows, [take(1, 3), take(2, 10)], recording=recording))

    assert [q["recording_link"] for q in record["answered"]] == [
        "https://youtu.be/x?t=300",
        "https://youtu.be/x?t=720",
    ]
    assert record["recording"] == {
        "url": "https://youtu.be/x",
        "started_at": "2026-12-01T14:58:00Z",
    }


def test_record_without_recording_has_no_links() -> None:
    record = build_record(inputs([row(1, "answered")], [take(1, 3)]))

    assert (record["recording"], record["answered"][0]["recording_link"]) == (None, None)


def test_record_question_taken_twice_keeps_its_first_place_and_lists_the_second() -> None:
    rows = [row(1, "answered"), row(2, "answered")]
    takes = [take(1, 5), take(2, 10), take(1, 30, before="answered")]

    record = build_record(inputs(rows, takes))

    assert [q["id"] for q in record["answered"]] == [1, 2]
    assert record["answered"][0]["taken_again"] == [
        {"taken_at": "2026-12-01T15:30:00Z", "recording_link": None}
    ]


def test_record_answered_without_logged_take_uses_its_status_change() -> None:
    record = build_record(inputs([row(1, "answered", changed=at(44))], []))

    assert record["answered"][0]["taken_at"] == "2026-12-01T15:44:00Z"


def test_record_shows_every_public_wording_of_a_merge_with_its_language() -> None:
    rows = [
        row(1, "answered", votes=5, language="en"),
        row(2, "open", root=1, text="Question deux ?", language="fr"),
        row(3, "hidden", root=1),  # hidden wording: never shown
        row(4, "pending", root=1),  # awaiting approval: private
    ]

    record = build_record(inputs(rows, [take(1, 5)]))

    assert [(w["id"], w["language"]) for w in record["answered"][0]["wordings"]] == [
        (1, "en"),
        (2, "fr"),
    ]


def test_record_not_reached_by_support_and_hidden_never_shown() -> None:
    rows = [
        row(1, "open", votes=2),
        row(2, "open", votes=7),
        row(3, "hidden", votes=50),
        row(4, "pending", votes=0),
        row(5, "open", votes=2),
    ]

    record = build_record(inputs(rows, []))

    assert [(q["id"], q["supporters"]) for q in record["not_reached"]] == [(2, 7), (1, 2), (5, 2)]
    assert record["answered"] == []


def test_record_anchor_and_url_name_the_root() -> None:
    rows = [row(7, "answered"), row(9, "answered", root=7)]

    answered = build_record(inputs(rows, [take(9, 3)]))["answered"]

    assert [(q["id"], q["anchor"], q["url"]) for q in answered] == [
        (7, "q-7", "https://th.example/e/d1/record#q-7")
    ]


def test_record_licence_and_updated_at() -> None:
    record = build_record(
        inputs(
            [],
            [],
            licence=Licence("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
            last_change=at(120),
        )
    )

    assert record["licence"] == {
        "name": "CC BY 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
    }
    assert record["updated_at"] == "2026-12-01T17:00:00Z"


def test_csv_rows_one_line_per_wording() -> None:
    rows = [
        row(1, "answered", votes=3, language="en"),
        row(2, "open", root=1, language="fr"),
        row(3, "open", votes=1),
    ]

    lines = csv_rows(build_record(inputs(rows, [take(1, 5)])))

    assert [
        (r["section"], r["position"], r["question_id"], r["wording_id"], r["language"])
        for r in lines
    ] == [
        ("answered", 1, 1, 1, "en"),
        ("answered", 1, 1, 2, "fr"),
        ("not_reached", 1, 3, 3, "en"),
    ]


def test_record_carries_organisations_and_endorsements_apart_from_supporters() -> None:
    asked = QuestionRow(
        id=1,
        root_id=1,
        status="open",
        text="Will you meet civil society before each session?",
        language="en",
        asked_at=at(1),
        supporters=4,
        organisation="Sahel Women's Network",
    )
    endorsed = Endorsed(organisations=("Network A", "Network B"), regions=("Africa",))

    record = build_record(inputs([asked, row(2, "open", votes=1)], [], endorsements={1: endorsed}))

    first, second = record["not_reached"]
    assert (first["supporters"], first["endorsements"]) == (
        4,
        {"organisations": 2, "regions": ["Africa"]},
    )
    assert first["wordings"][0]["organisation"] == "Sahel Women's Network"
    assert (second["endorsements"], second["wordings"][0]["organisation"]) == (None, None)
