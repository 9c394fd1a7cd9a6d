"""The workspace as people use it, in a real Chromium: a clerk's day end to end (log in, find
a household, compare flats, offer, hold, confirm the move, print the sheet), a partner's
(create, edit, pause an offer; a conflicting edit from a second browser), one path by
keyboard only with the focus visible, and axe-core (npm, pinned, from node_modules) on every
page: no serious or critical violation. The pages' German screenshots go to
``$GEO_SERVICE_SCREENSHOTS`` (``docs/img`` for the README) when it is set."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page
from sqlalchemy import Engine, text

from tests.conftest import PROJECT_ROOT
from tests.web.test_clerk import new_entry

# a test tool from the checkout's npm packages (not served, so not copied into the package)
AXE = (PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
SHOTS = os.environ.get("GEO_SERVICE_SCREENSHOTS")
FIGURES: dict[str, dict[str, int]] = {}  # page -> violations by impact (printed at the end)
VIEWPORT = {"width": 1280, "height": 900}


@pytest.fixture(scope="module", autouse=True)
def report_figures() -> Iterator[None]:
    """Print the axe figures per page once the module is done (the README quotes them)."""
    yield
    print("\naxe-core violations per page:", json.dumps(FIGURES, indent=1, sort_keys=True))


def context(browser: Browser) -> BrowserContext:
    """A German browser window of its own (its own cookies)."""
    return browser.new_context(viewport=VIEWPORT, locale="de-DE")  # type: ignore[arg-type]


def watch(page: Page) -> list[str]:
    """Console errors of the page (a refused script or style, a missing file); a page's own
    error status (a 401 login form, a 404 page) is meant and left out."""
    errors: list[str] = []

    def note(message: ConsoleMessage) -> None:
        own = message.location.get("url") == page.url
        if message.type == "error" and not (own and message.text.startswith("Failed to load")):
            errors.append(message.text)

    page.on("console", note)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def check(page: Page, name: str, errors: list[str] | None = None) -> dict[str, int]:
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) on the page as it is; record and return the
    violations by impact; save a screenshot when asked to; no console error."""
    page.evaluate(AXE)  # through the DevTools protocol: the page's CSP does not apply
    result: dict[str, Any] = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    counts: dict[str, int] = {}
    for v in result["violations"]:
        counts[v["impact"]] = counts.get(v["impact"], 0) + len(v["nodes"])
    FIGURES[name] = counts
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"ws-{name}.png"), full_page=True)
    serious = [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"{name}: {serious}"
    assert errors is None or errors == [], f"{name}: {errors}"
    return counts


def log_in(page: Page, server: str, login: str, password: str) -> None:
    """Log in through the German form."""
    page.goto(f"{server}/login")
    page.get_by_label("Anmeldename").fill(login)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r".*/$|.*/(warteliste|angebote).*"))


def test_login_and_start_pages(browser: Browser, server: str, passwords: dict[str, str]) -> None:
    """The login page and the start page of each role pass axe; the start page links the
    role's pages (German names)."""
    ctx = context(browser)
    page = ctx.new_page()
    errors = watch(page)
    page.goto(f"{server}/")
    check(page, "start-logged-out", errors)
    page.goto(f"{server}/login")
    check(page, "login", errors)
    page.get_by_label("Anmeldename").fill("clerk")
    page.get_by_label("Passwort").fill("falsch-falsch")
    page.get_by_role("button", name="Anmelden").click()
    assert "stimmt nicht" in page.locator("[role=alert]").inner_text()
    check(page, "login-failed", errors)
    ctx.close()
    for login, links in (
        ("clerk", ["Warteliste", "Haushaltskarte", "Lagebericht", "Versorgungslücken", "Karten"]),
        ("caritas", ["Unsere Angebote", "Karten"]),
        ("planner", ["Lagebericht", "Versorgungslücken", "Karten"]),
    ):
        ctx = context(browser)
        page = ctx.new_page()
        errors = watch(page)
        log_in(page, server, login, passwords[login])
        cards = page.locator("ul.cards a").all_inner_texts()
        assert cards == links, (login, cards)
        check(page, f"start-{login}", errors)
        ctx.close()


def test_a_clerks_day(
    browser: Browser, server: str, passwords: dict[str, str], sample_engine: Engine
) -> None:
    """Log in, find the household by its case reference, compare the recommended flats,
    offer the first, hold it, confirm the move (after the confirmation page), print the
    sheet: every page passes axe, German, no console error."""
    entry_id = new_entry(sample_engine, "AZ-BROWSER-1", languages=["ar", "de"])
    ctx = context(browser)
    page = ctx.new_page()
    errors = watch(page)
    log_in(page, server, "clerk", passwords["clerk"])
    page.get_by_role("link", name="Warteliste").first.click()
    check(page, "waiting-list", errors)
    page.get_by_label("Aktenzeichen", exact=True).fill("AZ-BROWSER-1")
    page.get_by_role("button", name="Suchen").click()
    page.wait_for_url(f"**/warteliste/{entry_id}")
    assert "AZ-BROWSER-1" not in page.url
    rows = page.locator("section[aria-labelledby=flats-heading] tbody tr")
    assert rows.count() == 10
    assert page.locator("svg[role=img] circle.pin").count() == 10
    first = rows.first.locator("th a").inner_text()
    check(page, "household", errors)
    rows.first.get_by_role("button", name="Anbieten").click()
    assert "angeboten" in page.locator("[role=status]").inner_text()
    check(page, "household-offered", errors)
    page.get_by_role("button", name="Wohnung für den Haushalt reservieren").click()
    assert "reserviert" in page.locator("[role=status]").inner_text()
    page.get_by_role("button", name="Einzug bestätigen …").click()
    check(page, "confirm-move", errors)
    page.get_by_role("button", name="Ja, Einzug bestätigen").click()
    assert "Einzug ist bestätigt" in page.locator("[role=status]").inner_text()
    check(page, "household-moved", errors)
    page.get_by_role("link", name=first).click()
    check(page, "flat", errors)
    page.go_back()
    page.get_by_role("link", name=re.compile("Verweisbogen drucken")).click()
    page.wait_for_load_state()
    assert page.locator("section.sheet[lang=de]").count() == 1
    assert page.locator("section.sheet[lang=ar][dir=rtl]").count() == 1
    check(page, "referral-sheets", errors)
    with sample_engine.connect() as conn:
        status = conn.execute(
            text("SELECT status FROM waiting_list WHERE id = :i"), {"i": entry_id}
        ).scalar_one()
    assert status == "moved"
    ctx.close()


def test_more_clerk_pages(
    browser: Browser, server: str, passwords: dict[str, str], sample_engine: Engine
) -> None:
    """The withdraw confirmation, the override reason, the gaps, the report form, an error
    page and the logout page pass axe too."""
    entry_id = new_entry(sample_engine, "AZ-BROWSER-2")
    ctx = context(browser)
    page = ctx.new_page()
    errors = watch(page)
    log_in(page, server, "admin", passwords["admin"])
    page.goto(f"{server}/warteliste/{entry_id}")
    page.get_by_role("button", name="Von der Warteliste nehmen …").click()
    check(page, "confirm-withdraw", errors)
    page.get_by_role("button", name="Ja, von der Liste nehmen").click()
    assert page.locator("[role=alert]").count() == 1  # a reason is needed
    check(page, "confirm-withdraw-error", errors)
    page.goto(f"{server}/versorgungsluecken")
    check(page, "coverage-gaps", errors)
    page.goto(f"{server}/maps/report")
    check(page, "report-form", errors)
    page.locator("button[type=submit]").last.click()
    page.wait_for_load_state()
    check(page, "report", errors)
    page.goto(f"{server}/warteliste/00000000-0000-0000-0000-000000000000")
    check(page, "error-404", errors)
    page.goto(f"{server}/logout")
    check(page, "logout", errors)
    page.locator("main").get_by_role("button", name="Abmelden").click()
    assert "abgemeldet" in page.locator("[role=status]").inner_text()
    ctx.close()


def test_a_partners_day_and_a_conflicting_edit(
    browser: Browser, server: str, passwords: dict[str, str], sample_engine: Engine
) -> None:
    """Create an offer at an address (found, shown on the map), edit it while a colleague
    edits it in a second browser (the conflict shown, the input kept, saved again), pause
    it; every page passes axe."""
    with sample_engine.connect() as conn:
        address = " ".join(
            conn.execute(
                text(
                    "SELECT street, housenumber FROM addresses a WHERE NOT EXISTS (SELECT 1 "
                    "FROM addresses b WHERE b.street = a.street AND b.postcode <> a.postcode) "
                    "ORDER BY id LIMIT 1"
                )
            ).one()
        )
    ctx = context(browser)
    page = ctx.new_page()
    errors = watch(page)
    log_in(page, server, "caritas", passwords["caritas"])
    page.get_by_role("link", name="Unsere Angebote").first.click()
    check(page, "offers", errors)
    page.get_by_role("link", name="Neues Angebot").click()
    check(page, "offer-new", errors)
    page.get_by_role("button", name="Als Entwurf speichern").click()
    assert page.locator("#error-summary").count() == 1
    check(page, "offer-new-errors", errors)
    page.get_by_label("Name des Angebots").fill("Sprechstunde Wohnen (Test)")
    page.get_by_label("Art des Angebots").select_option(label="Beratung")
    page.get_by_label("Arabisch").check()
    page.get_by_label("Adresse", exact=True).fill(address)
    page.get_by_role("button", name="Adresse suchen und auf der Karte zeigen").click()
    assert "Gefunden:" in page.locator("figure.map figcaption").inner_text()
    check(page, "offer-new-located", errors)
    page.get_by_role("button", name="Als Entwurf speichern").click()
    assert "gespeichert" in page.locator("[role=status]").inner_text()
    check(page, "offer", errors)
    page.get_by_role("link", name="Ändern").click()
    page.get_by_label("Öffnungszeiten").fill("Tu 14:00-17:00")
    other = context(browser)
    colleague = other.new_page()
    log_in(colleague, server, "caritas", passwords["caritas"])
    colleague.goto(page.url)
    colleague.get_by_label("Name des Angebots").fill("Sprechstunde Wohnen und Arbeit (Test)")
    colleague.get_by_role("button", name="Änderungen speichern").click()
    page.get_by_role("button", name="Änderungen speichern").click()
    conflict = page.locator("#conflict").inner_text()
    assert "Jemand anderes hat dieses Angebot inzwischen geändert" in conflict
    assert "Sprechstunde Wohnen und Arbeit (Test)" in conflict
    assert page.get_by_label("Öffnungszeiten").input_value() == "Tu 14:00-17:00"
    check(page, "offer-conflict", errors)
    page.get_by_role("button", name="Änderungen speichern").click()
    assert "gespeichert" in page.locator("[role=status]").inner_text()
    page.get_by_role("button", name="Veröffentlichen").click()
    page.get_by_role("button", name="Pausieren").click()
    assert "pausiert" in page.locator("[role=status]").inner_text()
    page.get_by_role("button", name="Angebot beenden").click()
    check(page, "offer-end-confirm", errors)
    page.get_by_role("link", name="Nein, zurück").click()
    history = page.locator("ol.history").inner_text()
    assert "Tu 14:00-17:00" in history and "Sprechstunde Wohnen und Arbeit (Test)" in history
    other.close()
    ctx.close()


def focus_is_visible(page: Page) -> bool:
    """Whether the focused element draws an outline or a focus ring."""
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; })()"
    )
    return bool(style[0] != "none" and style[1] != "0px") or style[2] != "none"


def tab_to(page: Page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused element's accessible text contains ``name``; each stop
    must show the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        assert focus_is_visible(page), page.evaluate("document.activeElement.outerHTML")
        label = page.evaluate(
            "(() => { const e = document.activeElement; return (e.labels && e.labels[0] &&"
            " e.labels[0].innerText) || e.innerText || e.value || ''; })()"
        )
        if name in label:
            return
    raise AssertionError(f"{name!r} not reached by Tab")


def test_by_keyboard_only(
    browser: Browser, server: str, passwords: dict[str, str], sample_engine: Engine
) -> None:
    """A clerk with the keyboard only: skip link, log in, open the waiting list, find a
    household, offer its first flat: every stop shows the focus, nothing needs a mouse."""
    entry_id = new_entry(sample_engine, "AZ-KEYS")
    ctx = context(browser)
    page = ctx.new_page()
    page.goto(f"{server}/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    tab_to(page, "Anmeldename")
    page.keyboard.type("clerk")
    page.keyboard.press("Tab")
    page.keyboard.type(passwords["clerk"])
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/")
    tab_to(page, "Warteliste")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/warteliste")
    tab_to(page, "Aktenzeichen")
    page.keyboard.type("AZ-KEYS")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/warteliste/{entry_id}")
    tab_to(page, "Anbieten")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*done=offer$"))
    assert "angeboten" in page.locator("[role=status]").inner_text()
    ctx.close()


def test_the_maps_open_with_the_same_session(
    browser: Browser, server: str, passwords: dict[str, str]
) -> None:
    """A planner's session opens the map index and a Folium map: its inline scripts run
    (allowed by hash), the policy refuses nothing; axe finds nothing serious (the page has a
    title and its language)."""
    ctx = context(browser)
    page = ctx.new_page()
    errors = watch(page)
    log_in(page, server, "planner", passwords["planner"])
    page.get_by_role("link", name="Karten").first.click()
    check(page, "maps-index", errors)
    page.locator("a[href='/maps/flats.html']").click()
    page.wait_for_selector(".leaflet-container")
    page.wait_for_timeout(500)
    check(page, "map-flats", errors)  # the Folium map too: 0 serious or critical
    ctx.close()
