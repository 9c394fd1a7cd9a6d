"""PostgreSQL's binary COPY format, encoded column-wise with numpy (no per-row Python).

Each column becomes one or more *piece columns*: object arrays holding, per row, the bytes of
that field (its 4-byte length and value) or of a part of it. A row is its pieces side by side;
the COPY data is all rows' pieces joined once. Fixed-width fields (numbers, arrays of floats)
are packed in numpy structured arrays; text is encoded once per distinct value and gathered by
index, so a text array of k nearest targets costs k gathers, not k string builds per row.
See https://www.postgresql.org/docs/current/sql-copy.html (Binary Format).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"
NULL = b"\xff\xff\xff\xff"
TEXT_OID, FLOAT8_OID = 25, 701
JSONB_VERSION = b"\x01"
ARRAY_HEADER = [("size", ">i4"), ("ndim", ">i4"), ("nulls", ">i4"), ("oid", ">i4")]
ARRAY_HEADER += [("dim", ">i4"), ("lbound", ">i4")]

Pieces = np.ndarray  # object array, shape (rows, parts): bytes per row and part


def _rows_of(packed: np.ndarray) -> Pieces:
    """One bytes object per row of a structured array (its packed big-endian fields)."""
    out = np.empty((len(packed), 1), dtype=object)
    out[:, 0] = packed.view(f"V{packed.dtype.itemsize}").tolist()
    return out


def _field(value: bytes | None) -> bytes:
    """One field: its length and bytes, or the NULL marker."""
    return NULL if value is None else len(value).to_bytes(4, "big") + value


def encoded_values(values: Sequence[str | bytes | None], prefix: bytes = b"") -> np.ndarray:
    """Each value as one field (UTF-8 text or raw bytes after ``prefix``; None is NULL)."""
    out = np.empty(len(values), dtype=object)
    out[:] = [
        _field(None if v is None else prefix + (v if isinstance(v, bytes) else v.encode()))
        for v in values
    ]
    return out


def _repeat(piece: bytes, rows: int) -> Pieces:
    """``piece`` in every row (filled as an object: np.full would cut trailing NUL bytes)."""
    out = np.empty((rows, 1), dtype=object)
    out.fill(piece)
    return out


def constant(value: str | None, rows: int) -> Pieces:
    """The same text (or NULL) in every row."""
    return _repeat(_field(None if value is None else value.encode()), rows)


def text(values: np.ndarray) -> Pieces:
    """Text, missing values (None, NaN) as NULL; each distinct value encoded once."""
    values = np.asarray(values, dtype=object)
    missing = pd.isna(values)
    uniq, inverse = np.unique(np.where(missing, "", values).astype(str), return_inverse=True)
    out = encoded_values(list(uniq))[inverse.reshape(-1)].reshape(-1, 1)
    out[missing, 0] = NULL
    return out


def raw(values: Sequence[bytes | str], prefix: bytes = b"") -> Pieces:
    """Raw bytes per row (geometry as EWKB), or text after a ``prefix`` (jsonb's version)."""
    return encoded_values(list(values), prefix).reshape(-1, 1)


def int4(values: np.ndarray) -> Pieces:
    """32-bit integers (no NULLs)."""
    packed = np.empty(len(values), dtype=[("size", ">i4"), ("value", ">i4")])
    packed["size"], packed["value"] = 4, values
    return _rows_of(packed)


def float8(values: np.ndarray) -> Pieces:
    """Doubles; NaN is stored as NULL (a missing measurement), infinities as themselves."""
    values = np.asarray(values, dtype=float)
    packed = np.empty(len(values), dtype=[("size", ">i4"), ("value", ">f8")])
    packed["size"], packed["value"] = 8, values
    out = _rows_of(packed)
    out[np.isnan(values), 0] = NULL
    return out


def float8_array(values: np.ndarray) -> Pieces:
    """One float8[] of the row's k values per row (k = number of columns; no NULL elements)."""
    rows, k = values.shape
    fields = [*ARRAY_HEADER] + [
        (f, t) for j in range(k) for f, t in ((f"l{j}", ">i4"), (f"v{j}", ">f8"))
    ]
    packed = np.empty(rows, dtype=fields)
    packed["size"], packed["ndim"], packed["nulls"], packed["oid"] = 20 + 12 * k, 1, 0, FLOAT8_OID
    packed["dim"], packed["lbound"] = k, 1
    for j in range(k):
        packed[f"l{j}"], packed[f"v{j}"] = 8, values[:, j]
    return _rows_of(packed)


def text_array(vocabulary: np.ndarray, idx: np.ndarray) -> Pieces:
    """One text[] per row: the ``vocabulary`` entries at the row's k indices (-1: '')."""
    rows, k = idx.shape
    fields = encoded_values([*(str(v) for v in vocabulary), ""])
    lengths = np.fromiter((len(f) for f in fields), dtype=np.int64, count=len(fields))
    at = np.where(idx >= 0, idx, len(vocabulary))
    header = np.empty(rows, dtype=ARRAY_HEADER)
    header["size"] = 20 + lengths[at].sum(axis=1)
    header["ndim"], header["nulls"], header["oid"], header["dim"], header["lbound"] = (
        1,
        0,
        TEXT_OID,
        k,
        1,
    )
    return np.hstack([_rows_of(header), fields[at]])


def copy_data(columns: Sequence[Pieces]) -> bytes:
    """The rows of ``columns`` (side by side) in binary COPY format, without the stream's
    header and trailer (written once per COPY: HEADER, TRAILER)."""
    rows = columns[0].shape[0]
    if not rows:
        return b""
    count = _repeat(len(columns).to_bytes(2, "big"), rows)
    return b"".join(np.hstack([count, *columns]).ravel().tolist())
