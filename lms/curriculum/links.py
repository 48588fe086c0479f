"""Links and images in curriculum Markdown: find them, and say where they lead.

Authors link with relative paths, as they would on GitHub:
`../03-customer-lifecycle/` (another module), `../../level2/` (a level),
`images/journey.png` (a file in the module's folder). The site serves the
same things at `/levels/N`, `/levels/N/slug` and `/levels/N/slug/files/...`.
"""
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

LEVEL_FOLDER = re.compile(r"^level(\d+)$")
MODULE_FOLDER = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$")
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"}
# Files a lesson may offer for download. Never .md: quiz.md holds the answers.
FILE_TYPES = IMAGE_TYPES | {".pdf", ".csv", ".xlsx", ".docx", ".pptx", ".txt"}

INLINE_LINK = re.compile(
    r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]"
    r"\(\s*(<[^>]*>|[^\s)]+)(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
)
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*(\S+)")
CODE_SPAN = re.compile(r"(`+).+?\1")
FENCE = re.compile(r"^ {0,3}(```|~~~)")


@dataclass(frozen=True)
class Link:
    line: int
    target: str
    is_image: bool
    text: str


@dataclass(frozen=True)
class Destination:
    kind: str  # "level", "module", "file" or "anchor"
    level: int | None = None
    slug: str | None = None
    file: str | None = None  # path inside the module folder
    anchor: str = ""

    @property
    def url(self):
        """Where the site serves this destination."""
        suffix = f"#{self.anchor}" if self.anchor else ""
        if self.kind == "level":
            return f"/levels/{self.level}{suffix}"
        if self.kind == "module":
            return f"/levels/{self.level}/{self.slug}{suffix}"
        if self.kind == "file":
            return f"/levels/{self.level}/{self.slug}/files/{self.file}"
        return suffix


def is_external(target):
    """Whether a link leaves the curriculum (has a scheme, or is protocol-relative)."""
    return bool(urlsplit(target).scheme) or target.startswith("//")


def find_links(body, first_line=1):
    """Yield every inline link, image and reference definition with its line."""
    in_fence = None
    for offset, raw in enumerate(body.splitlines()):
        fence = FENCE.match(raw)
        if fence:
            in_fence = None if in_fence == fence.group(1) else (in_fence or fence.group(1))
            continue
        if in_fence:
            continue
        line = CODE_SPAN.sub("", raw)
        number = first_line + offset
        for match in INLINE_LINK.finditer(line):
            target = match.group(3).strip("<>")
            yield Link(number, target, match.group(1) == "!", match.group(2))
        definition = REFERENCE_DEFINITION.match(line)
        if definition:
            yield Link(number, definition.group(2).strip("<>"), False, definition.group(1))


def module_folder_parts(name):
    """Split a module folder name `05-discovery` into (5, 'discovery'), or None."""
    match = MODULE_FOLDER.match(name)
    return (int(match.group(1)), match.group(2)) if match else None


def resolve(root, from_folder, target):
    """Return the Destination of a relative link, or None when it leads nowhere."""
    parts = urlsplit(target)
    anchor = unquote(parts.fragment)
    if not parts.path:
        return Destination("anchor", anchor=anchor)
    if parts.path.startswith("/") or parts.query:
        return None
    root = Path(root).resolve()
    path = (Path(from_folder) / unquote(parts.path)).resolve()
    try:
        relative = PurePosixPath(path.relative_to(root).as_posix()).parts
    except ValueError:
        return None
    if not relative or not LEVEL_FOLDER.match(relative[0]):
        return None
    level = int(LEVEL_FOLDER.match(relative[0]).group(1))
    level_folder = root / relative[0]
    if len(relative) == 1 or relative[1:] == ("level.md",):
        return Destination("level", level, anchor=anchor) if (level_folder / "level.md").is_file() else None
    module = module_folder_parts(relative[1])
    if module is None or not (level_folder / relative[1] / "lesson.md").is_file():
        return None
    slug = module[1]
    if len(relative) == 2 or relative[2:] == ("lesson.md",):
        return Destination("module", level, slug, anchor=anchor)
    file = "/".join(relative[2:])
    if path.is_file() and path.suffix.lower() in FILE_TYPES:
        return Destination("file", level, slug, file=file)
    return None
