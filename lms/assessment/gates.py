"""When may a learner start their next attempt?

Two policies, both driven by the author's settings:
- a quiz: `attempts` is a hard cap; `cooldown` is a wait after each failure;
- an exam: `attempts` come in rounds; after a round is used up without a
  pass, `cooldown` must pass before the next round (with no cooldown the
  attempts are a hard cap; with unlimited attempts there is never a wait).
  A passed exam is done.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Gate:
    open: bool
    reason: str = ""  # "cap", "cooldown" or "passed" when closed
    available_at: datetime | None = None
    used: int = 0  # attempts used (in the current round, for exams)


def quiz_gate(attempts, limit, cooldown_minutes, now):
    """Gate for a module quiz; `attempts` are the submitted ones, oldest first."""
    used = len(attempts)
    if limit is not None and used >= limit:
        return Gate(False, "cap", used=used)
    if attempts and cooldown_minutes and not attempts[-1].passed:
        available = attempts[-1].submitted_at + timedelta(minutes=cooldown_minutes)
        if now < available:
            return Gate(False, "cooldown", available, used)
    return Gate(True, used=used)


def exam_gate(attempts, limit, cooldown_minutes, now):
    """Gate for a level exam; `attempts` are the finished ones, oldest first."""
    if any(attempt.passed for attempt in attempts):
        return Gate(False, "passed", used=len(attempts))
    if limit is None:
        return Gate(True, used=len(attempts))
    cooldown = timedelta(minutes=cooldown_minutes)
    used, last = 0, None
    for attempt in attempts:
        if used >= limit and cooldown and attempt.started_at >= last.submitted_at + cooldown:
            used = 0  # a new round began after the cooldown
        used += 1
        last = attempt
    if last is None:
        return Gate(True)
    if used < limit:
        return Gate(True, used=used)
    if not cooldown:
        return Gate(False, "cap", used=used)
    available = last.submitted_at + cooldown
    if now < available:
        return Gate(False, "cooldown", available, used)
    return Gate(True, used=0)
