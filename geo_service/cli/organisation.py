"""``geo-service organisation create / list``: the round table's organisation registry."""

from __future__ import annotations

import typer

from geo_service.cli.app import app
from geo_service.cli.common import err as console
from geo_service.cli.common import print_json, show_table
from geo_service.i18n import _, ngettext

organisation_app = typer.Typer(help="Register partner organisations.", no_args_is_help=True)
app.add_typer(organisation_app, name="organisation")


@organisation_app.command("create")
def create(
    name: str = typer.Argument(..., help="The name its offers carry as provider."),
    slug: str = typer.Option(None, "--id", help="Short id (default: made from the name)."),
) -> None:
    """Register an organisation; offers whose provider is its name become its offers."""
    from geo_service.audit import record
    from geo_service.catalogue.organisations import create_organisation
    from geo_service.db.engine import get_engine

    with get_engine().begin() as conn:
        org = create_organisation(conn, name, slug)
        record(
            conn,
            "organisation_created",
            role="cli",
            key_id=None,
            detail=org.model_dump(mode="json"),
        )
    console.print(
        ngettext(
            "registered the organisation {id} (“{name}”) keeping {n} offer; issue keys with "
            "`geo-service apikey create --role partner --organisation {id}`",
            "registered the organisation {id} (“{name}”) keeping {n} offers; issue keys with "
            "`geo-service apikey create --role partner --organisation {id}`",
            org.offers,
        ).format(id=org.id, name=org.name, n=org.offers)
    )


@organisation_app.command("list")
def list_cmd(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Registered organisations and how many offers each keeps."""
    from geo_service.catalogue.organisations import organisations
    from geo_service.db.engine import get_engine

    found = organisations(get_engine())
    if as_json:
        print_json(found)
        return
    if not found.items:
        console.print(_("no organisations yet; `geo-service organisation create NAME` adds one"))
        return
    show_table(
        _("Organisations"),
        [(_("id"), "left"), (_("name"), "left"), (_("offers"), "right")],
        [(o.id, o.name, str(o.offers)) for o in found.items],
    )
