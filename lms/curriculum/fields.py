"""Front-matter fields: what each file accepts, as a table of checks.

A check takes the raw YAML value and returns the clean value, or raises
FieldError with a message an author can act on.
"""
import re
from dataclasses import dataclass
from typing import Any, Callable

from .problems import Problem
from .questions import N_

SKILLS = (
    N_("customer focus"), N_("outcome focus"), N_("discovery"), N_("active listening"),
    N_("empathy"), N_("candour"), N_("planning"), N_("data literacy"), N_("commercial acumen"),
    N_("influence"), N_("problem solving"), N_("clarity"),
)


DURATION = re.compile(r"^\s*(\d+)\s*(m|min|mins|minutes?|h|hours?|d|days?)?\s*$")
UNIT_MINUTES = {"m": 1, "h": 60, "d": 1440}


class FieldError(ValueError):
    pass


@dataclass(frozen=True)
class Field:
    check: Callable[[Any], Any]
    required: bool = True
    default: Any = None


def text(value):
    """A non-empty line of text."""
    if not isinstance(value, str) or not value.strip():
        raise FieldError("must be a non-empty line of text")
    return value.strip()


def whole_number(low, high):
    """A whole number from low to high, inclusive."""
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise FieldError(f"must be a whole number from {low} to {high}")
        if not low <= value <= high:
            raise FieldError(f"must be from {low} to {high}, not {value}")
        return value
    return check


def text_list(low, high):
    """A list of low to high non-empty lines of text."""
    def check(value):
        if not isinstance(value, list):
            raise FieldError(f"must be a list of {low} to {high} items, one per '- ' line")
        if not low <= len(value) <= high:
            raise FieldError(f"must list {low} to {high} items, not {len(value)}")
        items = []
        for number, item in enumerate(value, 1):
            if not isinstance(item, str) or not item.strip():
                raise FieldError(f"item {number} must be a non-empty line of text")
            items.append(item.strip())
        return items
    return check


def skill_list(low, high):
    """A list of skills from the shared rubric vocabulary."""
    as_list = text_list(low, high)

    def check(value):
        items = as_list(value)
        unknown = [item for item in items if item.lower() not in SKILLS]
        if unknown:
            raise FieldError(
                f"'{unknown[0]}' is not a skill; use one of: {', '.join(SKILLS)}"
            )
        if len({item.lower() for item in items}) != len(items):
            raise FieldError("lists a skill twice")
        return [item.lower() for item in items]
    return check


def duration_minutes(value):
    """A waiting time: whole minutes, or '30 minutes', '24 hours', '2 days'."""
    if isinstance(value, bool):
        raise FieldError("must be a time such as 30 minutes, 24 hours or 0")
    match = DURATION.match(str(value))
    if not match:
        raise FieldError("must be a time such as 30 minutes, 24 hours or 0")
    unit = (match.group(2) or "m")[0]
    return int(match.group(1)) * UNIT_MINUTES[unit]


VALIDITY = re.compile(r"^\s*(\d+)\s*(days?|months?|years?)?\s*$")
VALIDITY_DAYS = {"d": 1, "m": 30, "y": 365}


def validity_days(value):
    """How long a certificate stays valid: '2 years', '18 months', '90 days', or 0 for ever."""
    match = VALIDITY.match(str(value)) if not isinstance(value, bool) else None
    if not match or (match.group(1) != "0" and not match.group(2)):
        raise FieldError("must be a time such as 2 years, 18 months or 90 days, or 0 for no expiry")
    return int(match.group(1)) * VALIDITY_DAYS[(match.group(2) or "d")[0]]


def attempts_allowed(value):
    """A whole number of attempts, or 'unlimited' (stored as None)."""
    if isinstance(value, str) and value.strip().lower() == "unlimited":
        return None
    return whole_number(1, 100)(value)


def on_off(value):
    """A true or false switch."""
    if not isinstance(value, bool):
        raise FieldError("must be true or false")
    return value


LESSON_FIELDS = {
    "title": Field(text),
    "minutes": Field(whole_number(1, 240)),
    "objectives": Field(text_list(3, 5)),
    "skills": Field(skill_list(1, 3)),
}


def check_fields(front_matter, fields, path):
    """Check front matter against a field table; return (values, problems)."""
    values, problems = {}, []
    if front_matter.values is None:
        return values, problems  # the reason is already reported
    raw = front_matter.values
    for key in raw:
        if key not in fields:
            expected = ", ".join(fields)
            problems.append(Problem(
                path, front_matter.key_lines.get(key, 1),
                f"unknown front matter key '{key}'; expected: {expected}",
            ))
    for key, spec in fields.items():
        if key not in raw or raw[key] is None:
            if spec.required:
                problems.append(Problem(path, front_matter.key_lines.get(key, 1),
                                        f"the front matter needs '{key}'"))
            else:
                values[key] = spec.default
            continue
        try:
            values[key] = spec.check(raw[key])
        except FieldError as error:
            problems.append(Problem(path, front_matter.key_lines[key], f"'{key}' {error}"))
    return values, problems
