"""The documentation's screenshots rank an example household whose move-in is never past."""

from __future__ import annotations

from datetime import date

from geo_service.maps.screenshots import EXAMPLE, first_of_next_month


def test_the_example_moves_in_on_the_first_of_next_month() -> None:
    """December to January, the end of January to February, and today's example after today."""
    assert first_of_next_month(date(2026, 12, 7)) == date(2027, 1, 1)
    assert first_of_next_month(date(2027, 1, 31)) == date(2027, 2, 1)
    assert first_of_next_month(date(2028, 2, 29)) == date(2028, 3, 1)
    assert date.fromisoformat(EXAMPLE["move_in"]) > date.today()
