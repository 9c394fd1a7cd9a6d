"""Read a GTFS zip into text tables and parse its fields, vectorised, with row-level problems."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geo_service.ingest.errors import Problem, file_error

KIND = "gtfs"
MAX_PROBLEMS = 1000
# The files read and the columns each must have (other columns are ignored).
REQUIRED = {
    "stops.txt": ("stop_id",),
    "routes.txt": ("route_id", "route_type"),
    "trips.txt": ("route_id", "service_id", "trip_id"),
    "stop_times.txt": ("trip_id", "stop_id", "stop_sequence"),
    "calendar.txt": (
        "service_id",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "start_date",
        "end_date",
    ),
    "calendar_dates.txt": ("service_id", "date", "exception_type"),
    "transfers.txt": ("from_stop_id", "to_stop_id", "transfer_type"),
    "frequencies.txt": ("trip_id", "start_time", "end_time", "headway_secs"),
}
OPTIONAL_FILES = ("calendar.txt", "calendar_dates.txt", "transfers.txt", "frequencies.txt")
TIME = r"^(\d{1,3}):([0-5]\d):([0-5]\d)$"


@dataclass
class Feed:
    """The feed's files as text tables (stripped cells, '' when blank) and the problems found
    while parsing them; ``name`` is the zip's file name."""

    name: str
    tables: dict[str, pd.DataFrame]
    problems: list[Problem] = field(default_factory=list)

    def table(self, name: str) -> pd.DataFrame:
        """A file's table; an empty one with the required columns when the feed lacks it."""
        return self.tables.get(name, pd.DataFrame(columns=list(REQUIRED[name])))

    def column(self, name: str, col: str) -> pd.Series:
        """A column of a file as text ('' where the column is missing)."""
        df = self.table(name)
        return df[col] if col in df else pd.Series([""] * len(df), index=df.index, dtype=object)

    def flag(self, name: str, col: str, bad: np.ndarray, values: pd.Series, msg: str) -> None:
        """Record a problem for each row of ``name`` flagged in ``bad`` (rows 1-based)."""
        if len(self.problems) >= MAX_PROBLEMS:
            return
        rows = np.flatnonzero(bad)[: MAX_PROBLEMS - len(self.problems)]
        vals = values.to_numpy()
        self.problems += [Problem(int(i) + 1, f"{name}: {col}", str(vals[i]), msg) for i in rows]


def read_feed(path: Path) -> Feed:
    """The zip's GTFS files as text tables; a missing, unreadable or incomplete feed is one
    clear error (a feed without stop times has nothing to route on)."""
    if not path.is_file() or path.stat().st_size == 0:
        raise file_error(KIND, path.name, "file is missing or empty")
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise file_error(
            KIND, path.name, "not a zip file (a GTFS feed is a zip of .txt files)"
        ) from None
    with archive:
        members = {Path(n).name: n for n in archive.namelist() if not n.endswith("/")}
        tables = {}
        for name in REQUIRED:
            if name in members:
                tables[name] = _read_csv(archive.read(members[name]), name, path.name)
    if "stop_times.txt" not in tables or tables["stop_times.txt"].empty:
        raise file_error(
            KIND, path.name, "the feed has no stop times (stop_times.txt missing or empty)"
        )
    missing = [n for n in REQUIRED if n not in tables and n not in OPTIONAL_FILES]
    if "calendar.txt" not in tables and "calendar_dates.txt" not in tables:
        missing.append("calendar.txt or calendar_dates.txt")
    if missing:
        raise file_error(KIND, path.name, f"the feed lacks {', '.join(missing)}")
    for name, df in tables.items():
        absent = [c for c in REQUIRED[name] if c not in df.columns]
        if absent:
            raise file_error(KIND, path.name, f"{name} lacks the column {absent[0]}", name)
    return Feed(path.name, tables)


def _read_csv(data: bytes, name: str, source: str) -> pd.DataFrame:
    """One GTFS file as text (UTF-8, with or without BOM), cells stripped."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise file_error(KIND, source, "not UTF-8 (GTFS files are UTF-8)", name) from None
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise file_error(
            KIND, source, f"not readable as CSV: {exc}".splitlines()[0], name
        ) from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    return df.apply(lambda s: s.str.strip())


def parse_times(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """GTFS times (H:MM:SS, hours past 24 allowed) as seconds (NaN where blank) and a mask of
    cells that are neither blank nor a time."""
    parts = text.str.extract(TIME).astype(float)
    seconds = (parts[0] * 3600 + parts[1] * 60 + parts[2]).to_numpy()
    return seconds, (text.to_numpy() != "") & np.isnan(seconds)


def parse_ints(text: pd.Series, default: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Whole numbers (NaN where invalid) and the mask of invalid cells (blank is ``default``)."""
    filled = text.where(text != "", "" if default is None else str(default))
    values = pd.to_numeric(filled, errors="coerce").to_numpy(float)
    bad = np.isnan(values) | (np.mod(np.nan_to_num(values), 1) != 0)
    return values, bad


def parse_dates(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """GTFS dates (YYYYMMDD) and the mask of invalid cells."""
    dates = pd.to_datetime(text, format="%Y%m%d", errors="coerce")
    return dates.dt.date, dates.isna().to_numpy()


def duplicated(values: pd.Series | pd.DataFrame) -> np.ndarray:
    """Rows repeating an earlier row's key."""
    return np.asarray(values.duplicated(keep="first"), dtype=bool)
