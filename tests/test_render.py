"""Markdown renders once to HTML that is safe to put in a page."""
import ast
from pathlib import Path

import pytest

import lms.curriculum

from lms.curriculum.render import render_markdown

CURRICULUM_PACKAGE = Path(lms.curriculum.__file__).parent

ATTACKS = [
    "<script>alert('x')</script>",
    '<img src="x.png" onerror="alert(1)" alt="a">',
    '[click](javascript:alert(1))',
    '<a href="javascript:alert(1)">click</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<p style="position:fixed;top:0">overlay</p>',
    '<svg onload="alert(1)"></svg>',
    '<form action="https://evil.example"><input name="password"></form>',
    '<div onclick="steal()">hi</div>',
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_dangerous_markup_never_survives(attack):
    html, _ = render_markdown(f"Before.\n\n{attack}\n\nAfter.")
    lowered = html.lower()
    for marker in ("<script", "onerror", "javascript:", "<iframe", "onload", "onclick",
                   "<form", "<input", "position:fixed", "<svg"):
        assert marker not in lowered, html
    assert "After." in html


def test_markdown_features_render():
    text = ("## Why it matters\n\nSome **bold** text.\n\n"
            "| Signal | Weight |\n|:--|--:|\n| Logins | 10 |\n\n"
            "```\ncode block\n```\n\n"
            '!!! tip "Try this"\n    Ask one more question.\n')
    html, anchors = render_markdown(text)
    assert '<h2 id="why-it-matters">' in html
    assert "<table tabindex=\"0\">" in html and "Logins</td>" in html
    assert 'style="text-align:right"' in html  # table alignment is kept
    assert "<pre><code>code block" in html
    assert 'class="admonition tip"' in html and "Try this" in html
    assert anchors == {"why-it-matters"}


def test_checklists_show_boxes_not_brackets():
    html, _ = render_markdown("- [ ] Book the call\n- [x] Read the notes\n\n```\n- [ ] code\n```")
    assert "<li>☐ Book the call</li>" in html and "<li>☑ Read the notes</li>" in html
    assert "- [ ] code" in html and "<input" not in html


def test_links_are_rewritten_and_external_links_protected():
    def link_url(target):
        return {"../02-next/": "/levels/1/next", "map.png": "/levels/1/a/files/map.png"}.get(target)
    html, _ = render_markdown("[next](../02-next/) [web](https://example.com)\n\n![A map](map.png)",
                              link_url)
    assert 'href="/levels/1/next"' in html
    assert 'href="https://example.com" rel="noopener noreferrer"' in html
    assert 'src="/levels/1/a/files/map.png"' in html and 'loading="lazy"' in html


PURE_MODULES = ["problems", "frontmatter", "fields", "links", "render", "questions",
                "quizfile", "roleplayfile", "files", "assets", "translations"]


@pytest.mark.parametrize("name", PURE_MODULES)
def test_the_pipeline_needs_no_flask(name):
    """Parsing, checking and rendering import nothing of Flask, so any tool can use them."""
    tree = ast.parse((CURRICULUM_PACKAGE / f"{name}.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            assert node.module in PURE_MODULES, f"{name} imports .{node.module}"
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            assert not any(n.split(".")[0].startswith(("flask", "lms")) for n in names), names


@pytest.mark.parametrize("text", [
    "Ask Dana what changed in the depots", "Tom's 3 < 5 & \"quoted\" — fine.", "Wait... then?",
    "1. a list", "- an item", "# a heading", "> a quote", "two  spaces", " leading", "trailing ",
    "a *stressed* word", "see [the guide](x.md)", "a: b", "100% done, 50 % left", "",
    "line one\nline two", "a_b", "x = y", "= setext",
])
def test_plain_lines_skip_the_parser_with_the_same_result(text):
    """The shortcut for plain lines gives exactly what Markdown would."""
    from lms.curriculum import render
    fast = render.render_markdown(text)
    slow_md = render._markdown()
    slow_md.reset()
    slow_md.treeprocessors["lms_links"].link_url = None
    slow = render.sanitise(slow_md.convert(render.checklist_boxes(text)))
    assert fast[0] == slow
