"""``geo-service vocab``: every code a request may use or an answer may contain."""

from __future__ import annotations

import typer

from geo_service.cli.app import app
from geo_service.cli.common import console, print_json, say, show_table
from geo_service.cli.options import ProfilePath, profile_from
from geo_service.cli.scoring import JSON_OPTION
from geo_service.i18n import _, formats


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
    console.print(_("Vocabularies of profile {profile}").format(profile=v.profile) + "\n")
    weight = _("W")
    show_table(
        _("Scoring categories"),
        [
            (_("category"), "left"),
            (_("kind"), "left"),
            (weight, "right"),
            (_("counts"), "left"),
        ],
        [(c.name, c.kind, formats.plain(c.weight), c.rule) for c in v.categories],
        {weight: _("category weight (household needs and children multiply it)")},
    )
    show_table(
        _("Household needs"),
        [(_("need"), "left"), (_("effect"), "left")],
        [(n.name, n.effect) for n in v.needs],
    )
    lines = {
        _("offer categories"): v.offer_categories,
        _("languages (catalogue)"): v.languages or [_("(not read: --offline)")],
        _("referral sheet languages"): v.sheet_languages,
        _("roles"): v.roles,
        _("import kinds"): v.import_kinds,
        _("reservation statuses"): v.reservation_statuses,
        _("release reasons"): v.release_reasons,
        _("allocation methods"): v.allocation_methods,
        _("unplaced reasons"): v.unplaced_codes,
        _("ranking exclusions"): [t.name for t in v.exclusion_reasons],
        _("waiting-list statuses"): v.waiting_statuses,
        _("decline reasons"): v.decline_reasons,
        _("withdraw reasons"): v.withdraw_reasons,
    }
    for name, values in lines.items():
        say(f"[bold]{name}[/bold]: {', '.join(values)}")
