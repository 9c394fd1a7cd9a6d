"""The referral sheet as PDF: Chromium's own print (Playwright ``page.pdf``), A4, offline."""

from __future__ import annotations

import tempfile
from pathlib import Path

A4_CONTENT_PX = (703, 1031)  # 186 x 273 mm at 96 dpi: A4 less the sheet's 12 mm margins


def sheet_pdf(html: str) -> bytes:
    """Print a sheet's HTML to an A4 PDF in headless Chromium (no request leaves the file)."""
    from playwright.sync_api import sync_playwright

    from geo_service.maps.screenshots import ARGS, CHROMIUM

    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "sheet.html"
        page_file.write_text(html, encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                page = browser.new_page()
                page.route(
                    "**/*",
                    lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort(),
                )
                page.goto(page_file.as_uri(), wait_until="load")
                page.emulate_media(media="print")
                page.set_viewport_size({"width": A4_CONTENT_PX[0], "height": A4_CONTENT_PX[1]})
                height = page.evaluate("document.documentElement.scrollHeight")
                # a long sheet is scaled down to stay on one page rather than cut or split
                scale = max(0.5, min(1.0, A4_CONTENT_PX[1] / max(height, 1)))
                return page.pdf(
                    format="A4", prefer_css_page_size=True, print_background=True, scale=scale
                )
            finally:
                browser.close()
