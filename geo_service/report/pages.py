"""Page images of a PDF (pypdfium2, a dev dependency): ``python -m geo_service.report.pages
FILE.pdf OUT_DIR PREFIX`` writes OUT_DIR/PREFIX-1.png, -2.png ... to look at and to show."""

from __future__ import annotations

import sys
from pathlib import Path

SCALE = 1.4  # 1.4 x 72 dpi: an A4 page of about 830 x 1180 pixels


def page_images(pdf: Path, out_dir: Path, prefix: str) -> list[Path]:
    """Render every page of ``pdf`` to a PNG; return the files written."""
    import pypdfium2 as pdfium

    out_dir.mkdir(parents=True, exist_ok=True)
    doc = pdfium.PdfDocument(pdf)
    written = []
    for i in range(len(doc)):
        path = out_dir / f"{prefix}-{i + 1}.png"
        doc[i].render(scale=SCALE).to_pil().save(path, optimize=True)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in page_images(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]):
        print(path)
