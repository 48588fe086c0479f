"""A paper is the questions one attempt shows, in the order it shows them.

It is kept with the attempt on the server, answer key included, so grading
uses exactly what the learner saw even if the quiz is edited meanwhile. The
form only ever receives `question_sheet(paper)`, which has no answer key.
"""
from dataclasses import dataclass, field

from ..curriculum.questions import KINDS


def build_paper(questions, rng, shuffle=True, source=None):
    """Lay out questions for one attempt, shuffling questions and options."""
    order = list(range(len(questions)))
    if shuffle:
        rng.shuffle(order)
    paper = []
    for index in order:
        question = questions[index]
        options = list(range(len(question["options"])))
        if shuffle:
            rng.shuffle(options)
        paper.append({
            "key": question["key"],
            "kind": question["kind"],
            "title_html": question["title_html"],
            "prompt_html": question["prompt_html"],
            "options": [question["options"][i]["html"] for i in options],
            "correct": [shown for shown, i in enumerate(options)
                        if question["options"][i]["correct"]],
            "explanation_html": question["explanation_html"],
            "source": source,
            # Which original option each shown one is, so a translation can name them.
            "order": options,
        })
    return paper


def question_sheet(paper):
    """What the answer form may show: no answer key, no explanations."""
    return [{"number": number, "kind": q["kind"], "input_type": KINDS[q["kind"]].input_type,
             "hint": KINDS[q["kind"]].hint, "title_html": q["title_html"],
             "prompt_html": q["prompt_html"], "options": list(enumerate(q["options"]))}
            for number, q in enumerate(paper)]


def read_answers(paper, form):
    """Turn submitted form values into a clean list of chosen positions per question.

    Anything that is not a real option of that question is ignored, and a
    single-choice question with several values counts as unanswered.
    """
    answers = []
    for number, question in enumerate(paper):
        chosen = set()
        for value in form.getlist(f"q{number}"):
            if value.isascii() and value.isdecimal() and int(value) < len(question["options"]):
                chosen.add(int(value))
        if KINDS[question["kind"]].input_type == "radio" and len(chosen) > 1:
            chosen = set()
        answers.append(sorted(chosen))
    return answers


@dataclass
class Grade:
    points: float
    total: int
    marks: list = field(default_factory=list)  # per question: share of a point

    @property
    def percent(self):
        return round(100 * self.points / self.total) if self.total else 0

    @property
    def correct_count(self):
        return sum(1 for mark in self.marks if mark == 1.0)

    def passed(self, pass_mark):
        return self.percent >= pass_mark


def grade_paper(paper, answers):
    """Grade answers against a paper with each question kind's own rule."""
    marks = []
    for question, chosen in zip(paper, answers):
        marks.append(KINDS[question["kind"]].grade(set(question["correct"]), set(chosen)))
    return Grade(points=sum(marks), total=len(paper), marks=marks)


def unanswered(answers):
    """The question numbers left without an answer."""
    return [number for number, chosen in enumerate(answers) if not chosen]
