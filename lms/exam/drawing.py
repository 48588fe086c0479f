"""Drawing an exam paper: balanced across modules, questions not yet seen first."""
from ..assessment.papers import build_paper

BANK_TITLE = "Across the level"


def exam_sources(level, modules):
    """Where a level's exam draws from: each module's quiz, then the level's own bank.

    `modules` are (key, title, questions) for the level's published modules.
    """
    sources = [({"key": key, "title": title}, questions)
               for key, title, questions in modules if questions]
    if level.exam_bank:
        sources.append(({"key": f"level{level.number}/exam", "title": BANK_TITLE},
                        level.exam_bank))
    return sources


def share_out(sizes, total, rng, fresh=None):
    """Split `total` picks across sources as evenly as their sizes allow.

    When a round cannot give every source one more, the extra picks go to
    the sources with the most `fresh` (unseen) questions left, ties by chance.
    """
    fresh = fresh or [0] * len(sizes)
    quotas = [0] * len(sizes)
    remaining = min(total, sum(sizes))
    while remaining:
        candidates = [i for i, size in enumerate(sizes) if quotas[i] < size]
        rng.shuffle(candidates)
        candidates.sort(key=lambda i: fresh[i] - quotas[i], reverse=True)
        for i in candidates[:remaining]:
            quotas[i] += 1
        remaining -= min(remaining, len(candidates))
    return quotas


def draw_paper(sources, size, seen_keys, rng):
    """Draw up to `size` questions: an even share from each source, unseen ones first."""
    fresh = [sum(1 for q in questions if q["key"] not in seen_keys) for _, questions in sources]
    quotas = share_out([len(questions) for _, questions in sources], size, rng, fresh)
    paper = []
    for (source, questions), quota in zip(sources, quotas):
        unseen = [q for q in questions if q["key"] not in seen_keys]
        seen = [q for q in questions if q["key"] in seen_keys]
        rng.shuffle(unseen)
        rng.shuffle(seen)
        paper += build_paper((unseen + seen)[:quota], rng, shuffle=True, source=source)
    rng.shuffle(paper)
    return paper


def breakdown(paper, marks):
    """Correct answers per source, in the order sources first appear in `paper`."""
    rows = {}
    for question, mark in zip(paper, marks):
        source = question["source"]
        row = rows.setdefault(source["key"], {"title": source["title"], "correct": 0, "total": 0})
        row["total"] += 1
        row["correct"] += 1 if mark == 1.0 else 0
    return list(rows.values())
