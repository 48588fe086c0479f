"""A table the cockpit shows, built once and rendered twice: as HTML and as CSV.

Both come from the same cells, so an export says exactly what the page says.
"""
import csv
import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l


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
