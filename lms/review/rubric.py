"""The four rubric levels, described for any skill of the shared vocabulary."""
from flask_babel import lazy_gettext as _l

LEVELS = {
    1: (_l("Not yet"), _l("The reflection does not yet show %(skill)s in action.")),
    2: (_l("Developing"), _l("Shows %(skill)s in places, but not consistently, or not tied "
                             "to this customer's situation.")),
    3: (_l("Proficient"), _l("Applies %(skill)s clearly to this customer, with a sensible "
                             "next step.")),
    4: (_l("Exemplary"), _l("Applies %(skill)s with insight, anticipates what follows, and "
                            "would work with a real customer tomorrow.")),
}


def level_descriptions(skill):
    """The four levels for one skill: (score, name, description)."""
    return [(score, str(name), str(text) % {"skill": skill})
            for score, (name, text) in LEVELS.items()]


def rubric_with_levels(rubric):
    """Each rubric skill with its four level descriptions, for a scoring form."""
    return [(skill, level_descriptions(skill)) for skill in rubric]


def read_scores(rubric, form):
    """Scores 1–4 for every rubric skill from a form, and the skills left unscored."""
    scores, missing = {}, []
    for skill in rubric:
        value = form.get(f"score-{skill}", "")
        if value in ("1", "2", "3", "4"):
            scores[skill] = int(value)
        else:
            missing.append(skill)
    return scores, missing
