"""``geo-service vocab``: every code a request may use or an answer may contain."""

from __future__ import annotations

import typer

from geo_service.cli.app import app
from geo_service.cli.common import console, print_json, say, show_table
from geo_service.cli.options import ProfilePath, profile_from
from geo_service.cli.scoring import JSON_OPTION


@app.command("vocab")
def vocab(
    profile: ProfilePath = None,
    offline: bool = typer.Option(
        False, help="Only the profile's vocabularies (no database: no catalogue languages)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """The vocabularies: scoring categories, offer categories, needs, languages, roles, ..."""
    from geo_service.db.engine import get_engine
    from geo_service.vocabulary import vocabulary

    v = vocabulary(profile_from(profile), None if offline else get_engine())
    if as_json:
        print_json(v)
        return
    console.print(f"Vocabularies of profile {v.profile}\n")
    show_table(
        "Scoring categories",
        [("category", "left"), ("kind", "left"), ("W", "right"), ("counts", "left")],
        [(c.name, c.kind, f"{c.weight:g}", c.rule) for c in v.categories],
        {"W": "category weight (household needs and children multiply it)"},
    )
    show_table(
        "Household needs",
        [("need", "left"), ("effect", "left")],
        [(n.name, n.effect) for n in v.needs],
    )
    lines = {
        "offer categories": v.offer_categories,
        "languages (catalogue)": v.languages or ["(not read: --offline)"],
        "referral sheet languages": v.sheet_languages,
        "roles": v.roles,
        "import kinds": v.import_kinds,
        "reservation statuses": v.reservation_statuses,
        "release reasons": v.release_reasons,
        "allocation methods": v.allocation_methods,
        "unplaced reasons": v.unplaced_codes,
        "ranking exclusions": [t.name for t in v.exclusion_reasons],
        "waiting-list statuses": v.waiting_statuses,
        "decline reasons": v.decline_reasons,
        "withdraw reasons": v.withdraw_reasons,
    }
    for name, values in lines.items():
        say(f"[bold]{name}[/bold]: {', '.join(values)}")
