"""A table the cockpit shows, built once and rendered twice: as HTML and as CSV.

Both come from the same cells, so an export says exactly what the page says.
"""
import csv
import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape


@dataclass
class Cell:
    text: str
    state: str | None = None  # "complete", "overdue"...: a colour, always beside the text
    href: str | None = None
    numeric: bool = False

    def __post_init__(self):
        self.text = str(self.text)  # a lazily translated label, read in the page's language


@dataclass
class Column:
    label: str
    detail: str = ""  # e.g. a module's full title behind its short code
    numeric: bool = False

    def __post_init__(self):
        self.label, self.detail = str(self.label), str(self.detail)

    @property
    def heading(self):
        return f"{self.label} {self.detail}".strip()


@dataclass
class Table:
    name: str  # in the export's URL and file name
    caption: str
    columns: list
    rows: list = field(default_factory=list)
    empty: str = _l("Nothing to show yet.")

    def __post_init__(self):
        self.caption, self.empty = str(self.caption), str(self.empty)

    def add(self, *cells):
        self.rows.append([cell if isinstance(cell, Cell) else Cell(str(cell)) for cell in cells])

    def body_html(self):
        """The rows as HTML. Built here rather than in a template loop: a team of 500 has
        thousands of cells, and this is several times faster for the same markup."""
        out = []
        for row in self.rows:
            out.append("<tr>")
            for index, cell in enumerate(row):
                tag, scope = ("th", ' scope="row"') if index == 0 else ("td", "")
                classes = ("num " if cell.numeric else "") + (
                    f"cell-{cell.state}" if cell.state else "")
                text = escape(cell.text)
                if cell.href:
                    text = f'<a href="{escape(cell.href)}">{text}</a>'
                out.append(f'<{tag}{scope} class="{escape(classes)}">{text}</{tag}>')
            out.append("</tr>\n")
        return Markup("".join(out))

    def csv(self):
        """The table as CSV text; a cell that a spreadsheet would run as a formula is defused."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([defuse(column.heading) for column in self.columns])
        for row in self.rows:
            writer.writerow([defuse(cell.text) for cell in row])
        return out.getvalue()


def defuse(text):
    """Prefix text that starts like a spreadsheet formula (e.g. a name '=HYPERLINK(...)')."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
