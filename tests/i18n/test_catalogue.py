"""The catalogues serve the code: every marked message translated into German and English
(the sheet's texts into every sheet language), nothing stale, nothing twice; the check finds
each of these faults, and adding and pruning keep every other entry as written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geo_service.i18n import catalogue, check
from geo_service.i18n.check import Used


@pytest.fixture(scope="module")
def used() -> dict[check.Key, Used]:
    """The messages the code marks (extracted once for the module)."""
    return check.extract()


def test_the_catalogues_serve_the_code(used: dict[check.Key, Used]) -> None:
    """``make messages-check``: no message without German or English, nothing stale."""
    assert check.problems(used) == []
    assert len(used) > 50


def test_the_check_finds_a_missing_an_untranslated_and_a_stale_message(
    used: dict[check.Key, Used],
) -> None:
    """A message only the code has, one with an empty translation, one only the catalogue
    has: each is reported, per language."""
    new = Used("a message nobody translated", None, "x.py:1")
    found = check.problems({**used, (None, new.id): new})
    assert any(p.startswith("de: 'a message nobody translated' missing") for p in found)
    assert any(p.startswith("en: 'a message nobody translated' missing") for p in found)
    dropped = next(k for k in used if k[0] is None)
    rest = {k: u for k, u in used.items() if k != dropped}
    assert f"de: {dropped[1]!r} is no longer used; run make messages-prune" in check.problems(rest)


@pytest.fixture()
def locale_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the catalogues the check works on instead of the real ones."""
    copy = tmp_path / "locale"
    shutil.copytree(catalogue.LOCALE_DIR, copy)
    monkeypatch.setattr(catalogue, "LOCALE_DIR", copy)
    monkeypatch.setattr(check, "LOCALE_DIR", copy)
    return copy


def test_add_appends_and_prune_removes_only_what_they_must(
    used: dict[check.Key, Used], locale_copy: Path
) -> None:
    """``--add`` appends new entries at the end (English filled in, German empty: reported
    as untranslated); ``--prune`` drops stale ones; every other line stays as it was."""
    de = locale_copy / "de" / "LC_MESSAGES" / "messages.po"
    before = de.read_text("utf-8")
    new = Used(("{n} new thing", "{n} new things"), None, "x.py:1")
    more = {**used, (None, "{n} new thing"): new}
    assert check.add(more)["de"] == 1
    after = de.read_text("utf-8")
    assert after.startswith(before.rstrip("\n")) and 'msgid_plural "{n} new things"' in after
    en = (locale_copy / "en" / "LC_MESSAGES" / "messages.po").read_text("utf-8")
    assert 'msgstr[1] "{n} new things"' in en
    assert "de: ('{n} new thing', '{n} new things'): not translated (x.py:1)" in check.problems(
        more
    )
    assert check.prune(used)["de"] == 1
    assert de.read_text("utf-8") == before


def test_the_check_finds_duplicates_and_placeholders_that_differ(
    used: dict[check.Key, Used], locale_copy: Path
) -> None:
    """A merge that kept both sides of an entry, and a translation that names another
    placeholder (it would fail at run time), are reported."""
    de = locale_copy / "de" / "LC_MESSAGES" / "messages.po"
    text = de.read_text("utf-8")
    de.write_text(
        text.replace("Unter {path} gibt", "Unter {pfad} gibt")
        + '\nmsgid "Not found"\nmsgstr "Nicht da"\n',
        "utf-8",
    )
    found = check.problems(used)
    assert 'de: entries appear twice (a merge kept both sides): msgid "Not found"' in found
    assert any("placeholders ['pfad'] differ from the source's ['path']" in p for p in found)


def test_f_strings_in_translated_calls_are_refused(tmp_path: Path) -> None:
    """``_(f"...")`` cannot be looked up, ``f"{_('...')}"`` is not extracted: the check
    names the lines."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "bad.py").write_text(
        'x = _(f"flat {n}")\ny = _("flat {n}").format(n=1)\nz = f"[b]{_(\'error:\')}[/b]"\n'
    )
    fix = 'an f-string in or around _(); write _("... {name} ...").format(name=...)'
    assert check.not_literal(package) == [f"pkg/bad.py:1: {fix}", f"pkg/bad.py:3: {fix}"]


def test_a_function_that_binds_underscore_cannot_translate(tmp_path: Path) -> None:
    """``for _, x in ...`` or a parameter named ``_`` in a function that calls ``_()``: the
    call would hit the loop value; comprehensions and other functions are fine. A computed
    message holding a string literal would be extracted as that string."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "mod.py").write_text(
        "def bad(rows):\n"
        "    for _, x in rows:\n"
        "        pass\n"
        "    return _('x')\n"
        "def handler(_):\n"
        "    return _('y')\n"
        "def good(rows):\n"
        "    xs = [x for _, x in rows]\n"
        "    return _('z'), xs, _(WORDS[xs[0]])\n"
        "def hidden(row):\n"
        "    return _(WORDS[row['status']])\n"
    )
    assert [line.split(": ", 1)[1] for line in check.shadowed(package)] == [
        "bad binds _ and calls _(); name the throwaway value otherwise",
        "handler binds _ and calls _(); name the throwaway value otherwise",
        '_() of an expression holding a string: look the key up first (status = row["status"]; '
        "_(WORDS[status]))",
    ]
