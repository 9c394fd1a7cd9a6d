"""Exit 1 naming what is missing unless every requirement of the given extras of geo_service
is installed (the Makefile writes an install stamp only after this passes)."""

from __future__ import annotations

import re
import sys
from importlib import metadata


def missing(extras: list[str]) -> list[str]:
    """The requirements of ``extras`` that are not installed ("extra 'x' unknown" too)."""
    requires = metadata.requires("geo_service") or []
    out = []
    for extra in extras:
        marker = re.compile(rf"""extra\s*==\s*["']{re.escape(extra)}["']""")
        names = [re.match(r"[A-Za-z0-9._-]+", r).group(0) for r in requires if marker.search(r)]
        if not names:
            out.append(f"extra {extra!r} (geo_service declares no such extra)")
        for name in names:
            try:
                metadata.version(name)
            except metadata.PackageNotFoundError:
                out.append(f"{name} (extra {extra!r})")
    return out


if __name__ == "__main__":
    gone = missing(sys.argv[1:])
    if gone:
        print(f"not installed: {', '.join(gone)}", file=sys.stderr)
        sys.exit(1)
