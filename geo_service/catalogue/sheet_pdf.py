"""Printable HTML as PDF: Chromium's own print (Playwright ``page.pdf``), A4, offline."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

A4_CONTENT_PX = (703, 1031)  # 186 x 273 mm at 96 dpi: A4 less the sheet's 12 mm margins


def print_pdf(html: str, *, one_page: bool = False, footer: str | None = None) -> bytes:
    """Print HTML to an A4 PDF in headless Chromium (no request leaves the file); with
    ``one_page`` each page of the document (each ``.sheet-page``, else the whole) is scaled
    down to fit one sheet rather than split; ``footer`` (Chromium's footer template, e.g.
    with ``<span class="pageNumber">``) on every page."""
    from playwright.sync_api import sync_playwright

    from geo_service.maps.screenshots import ARGS, CHROMIUM

    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "page.html"
        page_file.write_text(html, encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                page = browser.new_page()
                page.route(
                    "**/*",
                    lambda r: (
                        r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort()
                    ),
                )
                page.goto(page_file.as_uri(), wait_until="load")
                page.emulate_media(media="print")
                scale = 1.0
                if one_page:
                    page.set_viewport_size({"width": A4_CONTENT_PX[0], "height": A4_CONTENT_PX[1]})
                    height = page.evaluate(
                        "Math.max(0, ...[...document.querySelectorAll('.sheet-page')]"
                        ".map(e => e.scrollHeight)) || document.documentElement.scrollHeight"
                    )
                    scale = max(0.5, min(1.0, A4_CONTENT_PX[1] / max(height, 1)))
                extra: dict[str, Any] = {}
                if footer:
                    extra = {
                        "display_header_footer": True,
                        "header_template": "<span></span>",
                        "footer_template": footer,
                    }
                return page.pdf(
                    format="A4",
                    prefer_css_page_size=True,
                    print_background=True,
                    scale=scale,
                    **extra,
                )
            finally:
                browser.close()


def sheet_pdf(html: str) -> bytes:
    """A referral sheet as an A4 PDF, one page per language."""
    return print_pdf(html, one_page=True)
