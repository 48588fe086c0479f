"""Markdown to sanitised HTML, once, at import time."""
import re
import threading
import xml.etree.ElementTree as etree
from html import escape as escape_html

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .links import is_external

EXTENSIONS = ["tables", "fenced_code", "toc", "admonition", "sane_lists"]

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "kbd", "li", "mark", "ol", "p", "pre", "s", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title"},
    "a": {"href", "rel"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"align", "colspan", "rowspan", "style"},
    "th": {"align", "colspan", "rowspan", "style", "scope"},
    "ol": {"start"},
}
# python-markdown's tables write alignment as an inline style; nothing else may.
ALLOWED_STYLES = {"text-align"}


class _LinkRewriter(Treeprocessor):
    def __init__(self, md, link_url):
        super().__init__(md)
        self.link_url = link_url

    def run(self, root: etree.Element):
        for element, attribute in [(a, "href") for a in root.iter("a")] + \
                [(img, "src") for img in root.iter("img")]:
            target = element.get(attribute, "")
            if is_external(target):
                if element.tag == "a":
                    element.set("rel", "noopener noreferrer")
                continue
            url = self.link_url(target) if self.link_url else None
            if url is not None:
                element.set(attribute, url)
            if element.tag == "img":
                element.set("loading", "lazy")


class _LinkExtension(Extension):
    def __init__(self, link_url):
        super().__init__()
        self.link_url = link_url

    def extendMarkdown(self, md):
        # After inline parsing (priority 20), before the toc (5) and prettify.
        md.treeprocessors.register(_LinkRewriter(md, self.link_url), "lms_links", 15)


def sanitise(html):
    """Remove everything from HTML that is not on the allow-list."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        filter_style_properties=ALLOWED_STYLES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
        # A wide table scrolls sideways on a phone; keyboard users must be able to reach it.
        set_tag_attribute_values={"table": {"tabindex": "0"}},
    )


def heading_ids(toc_tokens):
    """Flatten the toc extension's nested tokens into a set of anchor ids."""
    ids = set()
    for token in toc_tokens:
        ids.add(token["id"])
        ids |= heading_ids(token["children"])
    return ids


TASK_ITEM = re.compile(r"^(\s*[-*+]\s+)\[([ xX])\]\s", re.M)
FENCE = re.compile(r"^ {0,3}(```|~~~)")


def checklist_boxes(text):
    """Show `- [ ] item` lines as boxes to tick (☐, ☑), outside code blocks.

    A lesson's checklist is something to print or copy, not a form; quiz
    options never come through here, their parser takes them first.
    """
    lines, in_fence = [], False
    for line in text.split("\n"):
        if FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence:
            line = TASK_ITEM.sub(lambda m: m.group(1) + ("☐ " if m.group(2) == " " else "☑ "), line)
        lines.append(line)
    return "\n".join(lines)


def render_inline(text):
    """Render a line of Markdown (a question, an option) without its <p> wrapper."""
    html, _ = render_markdown(text)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


_local = threading.local()


def _markdown():
    """This thread's Markdown converter: building one costs more than a conversion does."""
    md = getattr(_local, "markdown", None)
    if md is None:
        md = markdown.Markdown(extensions=EXTENSIONS + [_LinkExtension(None)],
                               output_format="html")
        _local.markdown = md
    return md


# One line of plain words (most questions, options and feedback): Markdown would only wrap it
# in <p> and escape it, so its parser is skipped. Anything that could be markup, a link, a
# list, a heading or a line break goes the long way. Same output (tests check both ways).
PLAIN_LINE = re.compile(r"[^\\`*_\[\]<>&!|~\n\r\t{}:#]+")
MARKUP_AT_EDGES = re.compile(r"^\s|^([-+*>#=]|\d+[.)])|\s$")


def render_markdown(text, link_url=None):
    """Render Markdown to sanitised HTML; return (html, heading anchor ids).

    `link_url` maps a relative link or image path to the URL the site serves
    it at, or None to leave it as written.
    """
    if PLAIN_LINE.fullmatch(text) and not MARKUP_AT_EDGES.search(text):
        return "<p>" + escape_html(text, quote=False) + "</p>", set()
    md = _markdown()
    md.reset()
    md.treeprocessors["lms_links"].link_url = link_url
    html = md.convert(checklist_boxes(text))
    return sanitise(html), heading_ids(md.toc_tokens)
