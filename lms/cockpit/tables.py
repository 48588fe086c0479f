"""A table the cockpit shows, built once and rendered twice: as HTML and as CSV.

Both come from the same cells, so an export says exactly what the page says.
"""
import csv
import io
from dataclasses import dataclass, field


@dataclass
class Cell:
    text: str
    state: str | None = None  # "complete", "overdue"...: a colour, always beside the text
    href: str | None = None
    numeric: bool = False


@dataclass
class Column:
    label: str
    detail: str = ""  # e.g. a module's full title behind its short code
    numeric: bool = False

    @property
    def heading(self):
        return f"{self.label} {self.detail}".strip()


@dataclass
class Table:
    name: str  # in the export's URL and file name
    caption: str
    columns: list
    rows: list = field(default_factory=list)
    empty: str = "Nothing to show yet."

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


def plural(count, one, many=None):
    return f"{count} {one if count == 1 else (many or one + 's')}"
