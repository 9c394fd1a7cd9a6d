"""The one label catalogue: words for codes, German numbers and dates, translated hours, and
legend classes checked against numpy's own quantiles."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from geo_service.maps.labels import labels_for, sheet_languages, sheet_texts
from geo_service.maps.legend import quantile_classes
from geo_service.scoring.profile import ScoringProfile


def test_german_words_and_formats(profile: ScoringProfile) -> None:
    """Languages by name with code, status classes in words, 1.234,5 and 28.11.2026."""
    de = labels_for("de", profile)
    assert de.language("ar") == "Arabisch (ar)" and de.language("ckb") == "Zentralkurdisch (ckb)"
    assert de.language("prs") == "Dari (prs)"
    assert de.status_class(4) == "4 – sehr niedrig" and de.status_class(None, "x") == "x"
    assert de.number(1234.5) == "1.234,5" and de.money(512.4) == "512,40 €"
    assert de.percent(0.84) == "84 %" and de.area(65.25) == "65,2 m²"
    assert de.date(date(2026, 11, 28)) == "28.11.2026" and de.date("2026-12-01") == "01.12.2026"
    assert de.metres(240.4) == "240 m" and de.metres(1500) == "1,5 km" and de.metres(5000) == "5 km"
    assert de.category("kita") == "Kita" and de.category("bridge_builders") == "Brückenbauer"
    assert de.need("barrier_free") == "barrierefreie Wohnung"
    assert labels_for("en").category("primary_school") == "Primary school"


def test_every_profile_category_and_need_has_words(profile: ScoringProfile) -> None:
    """No category or need of the sample's profile falls back to its key."""
    for lang in ("de", "en"):
        lab = labels_for(lang, profile)
        for key in profile.categories:
            assert lab.category(key) != key.replace("_", " "), (lang, key)
        for key in profile.needs:
            assert lab.need(key) != key.replace("_", " "), (lang, key)


@pytest.mark.parametrize("lang", ["ar", "fa", "uk", "ru", "tr", "en", "de"])
def test_opening_hours_in_the_sheet_language(lang: str) -> None:
    """Weekday abbreviations (German as the sample writes them, or OSM's English) become the
    sheet language's day names; times stay as written, isolated left to right."""
    lab = labels_for(lang)
    text = lab.hours("Mo-Fr 09:00-12:00")
    assert "09:00–12:00" in text
    if lang not in ("de", "en"):
        assert "Mo" not in text and "Fr" not in text, text
    assert lab.hours("Tu,Th 14:00-17:00") == lab.hours("Di,Do 14:00-17:00")


def test_sheet_languages_share_one_set_of_texts() -> None:
    """Every sheet language has the same keys, including "also in" and the map caption."""
    keys = set(sheet_texts()["de"])
    assert {"also_in", "map"} <= keys
    for lang in sheet_languages():
        assert set(sheet_texts()[lang]) == keys, lang


def test_quantile_classes_match_numpy() -> None:
    """Class bounds are the data's quintiles (mapclassify), the same numpy computes."""
    values = np.random.default_rng(3).gamma(2.0, 10.0, 500)
    classes = quantile_classes(values.tolist(), "YlGnBu")
    assert np.allclose(classes.upper, np.quantile(values, [0.2, 0.4, 0.6, 0.8, 1.0]))
    assert len(set(classes.colours)) == 5
    assert classes.colour(values.min()) == classes.colours[0]
    assert classes.colour(values.max()) == classes.colours[-1]
    assert classes.colour(None) == "#bdbdbd"
    few = quantile_classes([1.0, 1.0, 2.0], "YlGnBu")
    assert len(few.upper) <= 2
