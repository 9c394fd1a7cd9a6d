"""Migration 0007 on a database that already holds offers: each gets its first version (every
field as it stands), so its history starts where its data does; the API's next change follows."""

from __future__ import annotations

from collections.abc import Callable

from alembic import command
from sqlalchemy import create_engine, text

from geo_service.db import crs, migrate
from tests.conftest import NewDatabase


def test_existing_offers_get_a_first_version(new_database: Callable[..., NewDatabase]) -> None:
    """An offer written at revision 0004 has, after the upgrade, version 1 with its fields."""
    db = new_database()
    owner = create_engine(db.owner_url)
    with owner.begin() as conn:
        cfg = migrate.alembic_config()
        cfg.attributes["connection"] = conn
        cfg.attributes["storage_srid"] = crs.configured().srid
        command.upgrade(cfg, "0004")
        conn.execute(
            text(
                "INSERT INTO offers (id, name, category, provider, interpreting, geom) VALUES "
                "('O-1', 'Beratung', 'counselling', 'Caritas', true, "
                "ST_Transform(ST_SetSRID(ST_MakePoint(10.33, 52.15), 4326), :srid))"
            ),
            {"srid": crs.configured().srid},
        )
        conn.execute(text("INSERT INTO offer_languages VALUES ('O-1', 'de'), ('O-1', 'ar')"))
    migrate.upgrade(owner)
    with owner.connect() as conn:
        version, action, changes = conn.execute(
            text("SELECT version, action, changes FROM offer_versions WHERE offer_id = 'O-1'")
        ).one()
    owner.dispose()
    assert (version, action) == (1, "import")
    assert changes["languages"] == {"old": None, "new": ["ar", "de"]}
    assert changes["interpreting"] == {"old": None, "new": True}
    assert changes["status"] == {"old": None, "new": "active"}
    assert changes["lon"]["new"] == 10.33 and changes["lat"]["new"] == 52.15
    assert "address" not in changes  # empty fields are not listed, as for a new offer
