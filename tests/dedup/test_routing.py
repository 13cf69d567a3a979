"""The shipped by-language scorer with the real models: the same civic question asked in two
UN languages merges or is suggested; different questions stay apart."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import Database, seed
from sqlalchemy import select

from townhall.dedup.embedder import Embedder
from townhall.dedup.routing import RoutingScorer, load_scorer
from townhall.dedup.worker import DedupWorker
from townhall.settings import DEFAULT_THRESHOLDS, Settings
from townhall.store.db import create_engine, session_factory
from townhall.store.queries import event_by_slug
from townhall.store.tables import Participant, Question

ENGLISH = "How will the United Nations protect journalists who report from war zones?"
SAME_QUESTION = {
    "es": "¿Cómo protegerán las Naciones Unidas a los periodistas que informan desde zonas de guerra?",
    "ar": "كيف ستحمي الأمم المتحدة الصحفيين الذين ينقلون الأخبار من مناطق الحرب؟",
    "zh": "联合国将如何保护在战区进行报道的记者？",
}
OTHER_QUESTION = {
    "es": "¿Cuánto dinero se destinará a las escuelas rurales el próximo año?",
    "ar": "متى ستُعقد الانتخابات القادمة في البلاد؟",
    "zh": "明年农村学校将获得多少资金？",
}


@pytest.fixture(scope="module")
def scorer() -> RoutingScorer:
    loaded = load_scorer(DEFAULT_THRESHOLDS)
    assert isinstance(loaded, RoutingScorer)
    return loaded


def _decide(scorer: RoutingScorer, embedder: Embedder, new: str, earlier: str) -> str:
    vectors = embedder.encode([new, earlier])
    score = float(scorer.score(new, vectors[0], [earlier], vectors[1:])[0])
    return scorer.decide(score, new, earlier)


@pytest.mark.parametrize("language", sorted(SAME_QUESTION))
def test_routing_translation_of_a_question_is_merged_or_suggested(
    scorer: RoutingScorer, embedder: Embedder, language: str
) -> None:
    decision = _decide(scorer, embedder, SAME_QUESTION[language], ENGLISH)

    assert (scorer.kind_of(SAME_QUESTION[language], ENGLISH), decision in ("merge", "suggest")) == (
        "cross",
        True,
    )


@pytest.mark.parametrize("language", sorted(OTHER_QUESTION))
def test_routing_different_questions_across_languages_stay_apart(
    scorer: RoutingScorer, embedder: Embedder, language: str
) -> None:
    assert _decide(scorer, embedder, OTHER_QUESTION[language], ENGLISH) == "distinct"


def test_routing_english_pairs_use_the_english_scorer(
    scorer: RoutingScorer, embedder: Embedder
) -> None:
    new, earlier = "How will the UN keep reporters in war zones safe?", ENGLISH
    vectors = embedder.encode([new, earlier])
    english = scorer.english_dimension

    routed = scorer.score(new, vectors[0], [earlier], vectors[1:])
    direct = scorer.english.score(new, vectors[0][:english], [earlier], vectors[1:, :english])

    assert (scorer.kind_of(new, earlier), routed.tolist()) == ("english", direct.tolist())


def test_routing_search_columns_add_the_english_half_for_english() -> None:
    scorer = load_scorer(DEFAULT_THRESHOLDS)
    assert isinstance(scorer, RoutingScorer)
    multilingual = slice(scorer.english_dimension, scorer.dimension)

    assert (scorer.search_columns(SAME_QUESTION["es"]), scorer.search_columns(ENGLISH)) == (
        [multilingual],
        [multilingual, slice(0, scorer.english_dimension)],
    )


async def _no_notify(event_id: int) -> None:
    return None


async def test_worker_stores_language_and_merges_across_languages(
    database: Database, embedder: Embedder, settings: Settings
) -> None:
    demo = await seed(database)
    engine = create_engine(database.url, schema=database.schema)
    writes = session_factory(engine, write=True)
    now = datetime(2026, 12, 2, tzinfo=UTC)
    texts = [ENGLISH, OTHER_QUESTION["zh"], SAME_QUESTION["es"]]
    async with writes() as session, session.begin():
        event = await event_by_slug(session, demo.slug)
        assert event is not None
        event_id = event.id
        session.add(Participant(id="asker", created_at=now))
        questions = [
            Question(event_id=event.id, author_id="asker", text=text, status="open", created_at=now)
            for text in texts
        ]
        session.add_all(questions)
        await session.flush()
        for question in questions:
            question.root_id = question.id
    ids = [question.id for question in questions]
    worker = DedupWorker(
        embedder,
        load_scorer(settings.dedup_thresholds),
        read_sessions=session_factory(engine),
        write_sessions=writes,
        notify=_no_notify,
        queue_size=8,
        batch_size=8,
    )

    for question_id in ids:
        await worker.process([question_id])
    # A Chinese draft of the same question is suggested while it is typed.
    typing = await worker.similar(event_id, SAME_QUESTION["zh"])

    async with session_factory(engine)() as session:
        rows = (
            await session.execute(
                select(Question.language, Question.canonical_id, Question.suggested_id)
                .where(Question.id.in_(ids))
                .order_by(Question.id)
            )
        ).all()
    await engine.dispose()
    language = [row.language for row in rows]
    spanish = rows[2]
    assert (language, rows[1].canonical_id, rows[1].suggested_id) == (
        ["en", "zh", "es"],
        None,
        None,
    )
    assert ids[0] in (spanish.canonical_id, spanish.suggested_id)
    assert [root for root, _ in typing] == [ids[0]]
