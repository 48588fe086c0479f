"""A problem found in a curriculum file, named by path and line."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self):
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"

    def sort_key(self):
        return (self.path, self.line or 0, self.message)


def in_order(problems):
    """Problems sorted by file and line, each once."""
    return sorted(set(problems), key=Problem.sort_key)


class CurriculumProblems(Exception):
    """Raised when a curriculum tree cannot be used; carries every problem."""

    def __init__(self, problems):
        self.problems = in_order(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
