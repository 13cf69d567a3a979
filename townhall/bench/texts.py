"""Question texts for the load: the QQP dev pairs when present, generated ones otherwise."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from townhall.settings import PROJECT_ROOT

DEFAULT_TEXTS = PROJECT_ROOT.parent / "shared" / "data" / "qqp_dev.tsv"

_TOPICS = (
    "climate finance",
    "Security Council reform",
    "peacekeeping budgets",
    "gender parity in senior posts",
    "the Sustainable Development Goals",
    "refugee protection",
    "nuclear disarmament",
    "artificial intelligence governance",
    "humanitarian access in conflicts",
    "debt relief for small island states",
)
_FORMS = (
    "How would you approach {topic} in your first year?",
    "What is your plan for {topic}?",
    "Would you change the way the UN handles {topic}?",
    "What have you learned about {topic} from your career?",
    "How will you measure progress on {topic}?",
)


def load_texts(path: Path | None) -> tuple[list[str], str]:
    """Distinct question texts (order kept) and where they came from."""
    if path is not None and path.is_file():
        seen: dict[str, None] = {}
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle, delimiter="\t")
            next(reader, None)
            for row in reader:
                for text in row[1:3]:
                    cleaned = " ".join(text.split())
                    if 8 <= len(cleaned) <= 480:
                        seen.setdefault(cleaned, None)
        if seen:
            return list(seen), str(path)
    return generated_texts(4000), "generated"


def generated_texts(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    texts: list[str] = []
    for number in range(count):
        form = rng.choice(_FORMS)
        texts.append(f"{form.format(topic=rng.choice(_TOPICS))} (#{number})")
    return texts
