"""The row-level import report and the error that carries it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from geo_service.errors import InputError
from geo_service.i18n import _, ngettext
from geo_service.ingest.kinds import kind_words


@dataclass(frozen=True)
class Problem:
    """One problem in an input file: row/feature number (1-based, 0 = whole file), field, value."""

    row: int
    field: str
    value: str
    message: str

    def line(self) -> str:
        """One readable line."""
        value = f" = „{self.value}“" if self.value else ""
        if not self.row:
            return self.message if self.field == "file" else f"{self.field}{value}: {self.message}"
        where = _("row {row}").format(row=self.row)
        return f"{where}, {self.field}{value}: {self.message}"


@dataclass
class ImportReport:
    """What an import read, found and wrote.

    Extracts (amenities, network) are clipped to the city plus the profile's boundary zone
    (``zone_m``): ``in_zone`` features lie in the zone (they count for accessibility but belong
    to no district), ``dropped`` ones beyond it; ``by_category`` splits amenities so.
    """

    kind: str
    source: str
    rows: int = 0
    written: int = 0
    dry_run: bool = False
    problems: list[Problem] = field(default_factory=list)
    in_zone: int = 0
    dropped: int = 0
    zone_m: float | None = None
    by_category: dict[str, dict[str, int]] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    by_file: dict[str, int] = field(default_factory=dict)  # GTFS: rows read per file
    interpolated: int = 0  # GTFS: blank stop times filled by interpolation
    ignored_transfers: int = 0  # GTFS: trip- or route-specific and in-seat transfers

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        d = asdict(self)
        d["problems"] = [asdict(p) for p in self.problems]
        return d


class ImportValidationError(InputError):
    """An input file failed validation; nothing was written."""

    def __init__(self, report: ImportReport) -> None:
        """Summarise the report in one line."""
        n = len(report.problems)
        first = report.problems[0].line() if n else _("invalid input")
        more = (
            " "
            + ngettext("(and {n} more problem)", "(and {n} more problems)", n - 1).format(n=n - 1)
            if n > 1
            else ""
        )
        super().__init__(
            _("{kind} from {source} rejected, nothing written: {first}{more}").format(
                kind=kind_words(report.kind), source=report.source, first=first, more=more
            ),
            errors=[asdict(p) for p in report.problems[:100]],
        )
        self.report = report


def file_error(kind: str, source: str, message: str, field: str = "file") -> ImportValidationError:
    """An error about the file as a whole."""
    return ImportValidationError(
        ImportReport(kind, source, problems=[Problem(0, field, "", message)])
    )
