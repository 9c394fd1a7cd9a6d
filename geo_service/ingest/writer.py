"""Write validated rows: COPY into a staging table, then one upsert, in the caller's transaction."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import shapely
from pandas.api.types import infer_dtype
from sqlalchemy import Column, Connection, MetaData, Table, func, select, text
from sqlalchemy.dialects.postgresql import insert

from geo_service.catalogue.versions import track_import
from geo_service.db import models
from geo_service.db.crs import storage_crs
from geo_service.ingest.schemas import KindSpec

COPY_CHUNK_ROWS = 50_000
Progress = Callable[[int], None]
# column types (pandas' infer_dtype) that hold no booleans: not scanned cell by cell
NO_BOOLEANS = frozenset({"string", "integer", "floating", "decimal", "date", "datetime", "empty"})


def record_import(conn: Connection, kind: str, path: Path, rows: int) -> None:
    """Note an import in ``imports``: kind, file name, the file's SHA-256 (empty for a folder)
    and how many rows it wrote, in the caller's transaction."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
    conn.execute(
        insert(models.imports).values(
            kind=kind, source=path.name, sha256=digest, rows=rows, imported_at=func.now()
        )
    )


def _csv_cell_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """Render values as COPY-CSV text: booleans t/f, dates ISO, missing as empty (NULL).
    Only columns whose inferred type may hold booleans are scanned cell by cell."""
    out = rows.copy()
    for col in out.columns:
        s = out[col]
        if infer_dtype(s, skipna=True) in NO_BOOLEANS:
            continue
        if s.map(lambda v: isinstance(v, bool)).any():
            out[col] = s.map(lambda v: "" if v is None or v is pd.NA else ("t" if v else "f"))
    return out


def copy_rows(conn: Connection, table: str, rows: pd.DataFrame, progress: Progress | None) -> None:
    """COPY ``rows`` into ``table`` in chunks (CSV format; empty unquoted fields are NULL)."""
    raw = conn.connection.driver_connection
    assert raw is not None
    cols = ", ".join(f'"{c}"' for c in rows.columns)
    cells = _csv_cell_frame(rows)
    with raw.cursor() as cur:
        for start in range(0, len(cells), COPY_CHUNK_ROWS):
            chunk = cells.iloc[start : start + COPY_CHUNK_ROWS]
            buf = io.StringIO()
            chunk.to_csv(buf, index=False, header=False)
            with cur.copy(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv)") as cp:
                cp.write(buf.getvalue())
            if progress:
                progress(len(chunk))


def _stage(conn: Connection, target: Table, columns: list[str]) -> Table:
    """Create a temporary staging table shaped like ``target`` (dropped on commit)."""
    name = f"_stage_{target.name}"
    cols = ", ".join(f'"{c}"' for c in columns)
    conn.execute(
        text(
            f'CREATE TEMP TABLE "{name}" ON COMMIT DROP AS '
            f'SELECT {cols} FROM "{target.name}" WITH NO DATA'
        )
    )
    return Table(name, MetaData(), *(Column(c, target.c[c].type) for c in columns))


def upsert(
    conn: Connection,
    target: Table,
    rows: pd.DataFrame,
    key: tuple[str, ...],
    progress: Progress | None = None,
) -> int:
    """Stage ``rows`` with COPY and upsert them into ``target`` by ``key``; return the count."""
    columns = list(rows.columns)
    stage = _stage(conn, target, columns)
    copy_rows(conn, stage.name, rows, progress)
    stmt = insert(target).from_select(columns, select(*stage.c))
    updates = {c: stmt.excluded[c] for c in columns if c not in key}
    if "updated_at" in target.c:
        updates["updated_at"] = text("now()")
    stmt = (
        stmt.on_conflict_do_update(index_elements=list(key), set_=updates)
        if updates
        else (stmt.on_conflict_do_nothing(index_elements=list(key)))
    )
    conn.execute(stmt)
    return len(rows)


def replace_offer_languages(conn: Connection, ids: pd.Series, languages: pd.Series) -> None:
    """Replace the language rows of the given offers."""
    table = models.offer_languages
    conn.execute(table.delete().where(table.c.offer_id.in_(ids.tolist())))
    pairs = pd.DataFrame({"offer_id": ids, "language": languages}).explode("language")
    copy_rows(conn, table.name, pairs.dropna(), None)


def write_indicators(conn: Connection, rows: pd.DataFrame, progress: Progress | None = None) -> int:
    """Upsert residents per district and year; replace those years' indicator values with the
    file's (one row per district, year and indicator key)."""
    base = ["district_code", "year", "residents"]
    written = upsert(conn, models.district_indicators, rows[base], ("district_code", "year"))
    values = models.district_indicator_values
    pairs = rows[["district_code", "year"]].drop_duplicates()
    stage = _stage(conn, values, ["district_code", "year"])
    copy_rows(conn, stage.name, pairs, None)
    conn.execute(
        values.delete().where(
            values.c.district_code == stage.c.district_code, values.c.year == stage.c.year
        )
    )
    long = rows.melt(
        id_vars=["district_code", "year"],
        value_vars=[c for c in rows if c not in base],
        var_name="indicator",
        value_name="value",
    )
    copy_rows(conn, values.name, long, progress)
    return written


def geometry_hex(geoms: pd.Series, srid: int) -> pd.Series:
    """Hex EWKB with the storage SRID, as PostGIS reads it in COPY."""
    arr = shapely.set_srid(geoms.to_numpy(), srid)
    return pd.Series(shapely.to_wkb(arr, hex=True, include_srid=True), index=geoms.index)


def write_kind(
    conn: Connection, spec: KindSpec, rows: pd.DataFrame, progress: Progress | None = None
) -> int:
    """Write one kind's validated rows (with ``geom`` as shapely objects in the storage CRS
    if spatial; indicators with one column per indicator key)."""
    if spec.kind == "indicators":
        return write_indicators(conn, rows, progress)
    target = models.metadata.tables[spec.table]
    data = rows.copy()
    languages = data.pop("languages") if "languages" in data else None
    if "geom" in data:
        data["geom"] = geometry_hex(data["geom"], storage_crs(conn).srid)
    if spec.kind != "offers":
        return upsert(conn, target, data, spec.key, progress)
    assert languages is not None

    def write() -> int:
        written = upsert(conn, target, data, spec.key, progress)
        replace_offer_languages(conn, data["id"], languages)
        return written

    return track_import(conn, sorted(data["id"].tolist()), write)
