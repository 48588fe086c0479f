"""Files that live beside a module's lesson: what they are, and whether they are safe.

A name must be plain (lower-case letters, digits, '.', '-', '_', folders with
'/'); the content must be what the name says (checked by its first bytes);
an SVG is accepted only if it is a drawing and nothing more: no scripts,
event handlers, foreign objects, external references or entity tricks.
"""
import re
import xml.etree.ElementTree as etree
from pathlib import PurePosixPath

ASSET_LIMIT = 5 * 1024 * 1024  # bytes
CONTENT_TYPES = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".svg": "image/svg+xml", ".pdf": "application/pdf",
    ".csv": "text/csv", ".txt": "text/plain",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
UPLOAD_TYPES = {".png", ".jpg", ".jpeg", ".webp", ".svg"}
SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
MAGIC = {
    ".png": lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"),
    ".jpg": lambda b: b.startswith(b"\xff\xd8\xff"),
    ".jpeg": lambda b: b.startswith(b"\xff\xd8\xff"),
    ".gif": lambda b: b[:6] in (b"GIF87a", b"GIF89a"),
    ".webp": lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP",
    ".pdf": lambda b: b.startswith(b"%PDF-"),
    ".xlsx": lambda b: b.startswith(b"PK"), ".docx": lambda b: b.startswith(b"PK"),
    ".pptx": lambda b: b.startswith(b"PK"),
}
SVG_NS = "{http://www.w3.org/2000/svg}"
SVG_ELEMENTS = {
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text",
    "tspan", "defs", "lineargradient", "radialgradient", "stop", "title", "desc", "use",
    "clippath", "mask", "symbol", "marker", "pattern", "metadata",
}
URL_FUNCTION = re.compile(r"url\s*\(\s*['\"]?\s*([^'\")\s]*)", re.I)


def name_problem(name):
    """Why a file name is refused, or None. Names may contain folders ('img/map.png')."""
    parts = PurePosixPath(name).parts
    if not parts or name.startswith("/") or "\\" in name or any(
            not SAFE_NAME.match(part) or part in (".", "..") for part in parts):
        return (f"'{name}' is not a safe file name: use lower-case letters, digits, "
                "'-', '_' and one '.' before the extension")
    if PurePosixPath(name).suffix not in CONTENT_TYPES:
        return f"'{name}' is not a kind of file a lesson can use ({', '.join(sorted(CONTENT_TYPES))})"
    return None


def content_problem(name, data):
    """Why a file's content is refused, or None."""
    suffix = PurePosixPath(name).suffix
    if len(data) > ASSET_LIMIT:
        return f"'{name}' is {len(data) / 1048576:.1f} MB; files may be at most {ASSET_LIMIT // 1048576} MB"
    if not data:
        return f"'{name}' is empty"
    check = MAGIC.get(suffix)
    if check is not None and not check(data):
        return f"'{name}' is not really a {suffix} file"
    if suffix == ".svg":
        return svg_problem(name, data)
    if suffix in (".csv", ".txt"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return f"'{name}' is not UTF-8 text"
    return None


def svg_problem(name, data):
    """Why an SVG is refused (anything that could run or fetch), or None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return f"'{name}' is not UTF-8 text"
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.I):
        return f"'{name}' declares a DOCTYPE or entities, which an image does not need"
    if re.search(r"<\?xml-stylesheet", text, re.I):
        return f"'{name}' loads a stylesheet, which an image does not need"
    try:
        root = etree.fromstring(text)
    except etree.ParseError as error:
        return f"'{name}' is not well-formed SVG ({error})"
    if local(root.tag) != "svg":
        return f"'{name}' is not an SVG drawing"
    for element in root.iter():
        tag = local(element.tag)
        if tag not in SVG_ELEMENTS:
            return f"'{name}' contains <{tag}>, which is not allowed in an image (scripts, " \
                   "foreign objects, links and animations are refused)"
        for attribute, value in element.attrib.items():
            key = local(attribute).lower()
            if key.startswith("on"):
                return f"'{name}' has an event handler ({key}), which is not allowed"
            if key == "href" and not value.strip().startswith("#"):
                return f"'{name}' refers to something outside itself ({value[:60]})"
            if "\\" in value and key == "style":
                return f"'{name}' has escaped characters in a style, which are refused"
            if "javascript:" in value.lower() or "data:" in value.lower().replace(" ", ""):
                return f"'{name}' has a script or data URL in {key}"
            for target in URL_FUNCTION.findall(value):
                if not target.startswith("#"):
                    return f"'{name}' loads {target[:60]} from outside itself"
        if tag == "style" or "@import" in (element.text or ""):
            return f"'{name}' imports a stylesheet"
    return None


def local(tag):
    """An element or attribute name without its namespace."""
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def content_type(name):
    return CONTENT_TYPES.get(PurePosixPath(name).suffix, "application/octet-stream")
