"""Split a Markdown file into YAML front matter and body, keeping line numbers."""
from dataclasses import dataclass, field

import yaml

from .problems import Problem

FENCE = "---"


@dataclass
class FrontMatter:
    values: dict | None = None  # None when the front matter could not be read
    key_lines: dict = field(default_factory=dict)  # key -> line in the file
    body: str = ""
    body_line: int = 1  # the file's line number of the body's first line


# libyaml's safe loader when PyYAML was built with it: the same YAML, several times faster.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_front_matter(text, path):
    """Parse `---`-fenced YAML front matter; return (FrontMatter, problems)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != FENCE:
        return FrontMatter(body=text), [
            Problem(path, 1, "the file must start with front matter between '---' lines")
        ]
    closing = next((i for i in range(1, len(lines)) if lines[i].strip() == FENCE), None)
    if closing is None:
        return FrontMatter(body=""), [
            Problem(path, 1, "the front matter opened here is never closed with '---'")
        ]
    result = FrontMatter(body="\n".join(lines[closing + 1:]), body_line=closing + 2)
    source = "\n".join(lines[1:closing])
    try:
        try:
            node = yaml.compose(source, Loader=LOADER)
            values = yaml.load(source, Loader=LOADER)
        except yaml.MarkedYAMLError:
            # Parse again with the pure-Python loader, whose messages name the line better.
            node = yaml.compose(source, Loader=yaml.SafeLoader)
            values = yaml.safe_load(source)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 2 if mark else 1
        reason = error.problem or "it is not valid YAML"
        return result, [Problem(path, line, f"the front matter is not valid YAML: {reason}")]
    except yaml.reader.ReaderError as error:  # a control character, say
        line = source.count("\n", 0, max(0, error.position)) + 2
        return result, [Problem(path, line, "the front matter holds a character that is not "
                                            f"allowed (code {error.character!r})")]
    except (yaml.YAMLError, RecursionError, ValueError) as error:
        return result, [Problem(path, 1, f"the front matter is not valid YAML ({error})")]
    if node is None:
        result.values = {}
        return result, []
    if not isinstance(node, yaml.MappingNode):
        return result, [Problem(path, 2, "the front matter must be 'key: value' lines")]
    problems = []
    for key_node, _ in node.value:
        line = key_node.start_mark.line + 2
        if key_node.value in result.key_lines:
            problems.append(Problem(path, line, f"'{key_node.value}' is set twice"))
        result.key_lines.setdefault(key_node.value, line)
    result.values = values
    return result, problems
