"""The round table's organisation registry: each partner organisation has a slug and the name
its offers give as ``provider`` (imports and new offers are assigned to it by that name)."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import Field
from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from geo_service.db import models
from geo_service.errors import Conflict, InputError
from geo_service.i18n import _
from geo_service.scoring.results import Result

ORGS, OFFERS = models.organisations, models.offers
UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


class Organisation(Result):
    """A registered organisation and how many offers it keeps."""

    id: str = Field(description="Short slug, e.g. 'caritas'.")
    name: str = Field(description="The provider name its offers carry.")
    created_at: datetime
    offers: int = Field(description="Offers it keeps (any status).")


class OrganisationList(Result):
    """Every registered organisation, by id."""

    items: list[Organisation]


def slug_of(name: str) -> str:
    """A slug made from a name ('Diakonisches Werk' -> 'diakonisches-werk')."""
    plain = name.lower()
    for umlaut, ascii_ in UMLAUTS.items():
        plain = plain.replace(umlaut, ascii_)
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:40] or "org"


def create_organisation(conn: Connection, name: str, slug: str | None = None) -> Organisation:
    """Register an organisation (slug from the name unless given) and give it the offers whose
    provider is its name and that nobody keeps yet; 409 if the slug or name is taken."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InputError(_("an organisation needs a name of 1 to 200 characters"))
    slug = slug or slug_of(name)
    if not SLUG.fullmatch(slug):
        raise InputError(
            _("organisation id “{id}”: use 1-40 lower-case letters, digits and “-”").format(id=slug)
        )
    try:
        with conn.begin_nested():
            conn.execute(insert(ORGS).values(id=slug, name=name))
    except IntegrityError:
        raise Conflict(
            _("an organisation with the id “{id}” or the name “{name}” exists").format(
                id=slug, name=name
            )
        ) from None
    conn.execute(
        update(OFFERS)
        .where(OFFERS.c.provider == name, OFFERS.c.organisation_id.is_(None))
        .values(organisation_id=slug)
    )
    return next(o for o in list_organisations(conn).items if o.id == slug)


def list_organisations(conn: Connection) -> OrganisationList:
    """Every organisation with its offer count."""
    count = (
        select(func.count())
        .where(OFFERS.c.organisation_id == ORGS.c.id)
        .scalar_subquery()
        .label("offers")
    )
    rows = conn.execute(select(ORGS, count).order_by(ORGS.c.id)).mappings()
    return OrganisationList(items=[Organisation.model_validate(dict(r)) for r in rows])


def organisations(engine: Engine) -> OrganisationList:
    """Every organisation (own connection)."""
    with engine.connect() as conn:
        return list_organisations(conn)
