"""Upgrades keep data: the schema is built at every earlier revision, filled with the realistic
data of that revision (the scored sample after a day of work: API keys, the sample waiting
list with its offers, holds and moves, stand-alone holds held, confirmed and released, an
allocation run with case references, and the audit log of all that), then upgraded to head.
Every row and every value stored at the old revision is still there, the audit log reads the
same and takes new entries, holds can be confirmed and released, waiting-list entries are found
by their case references. A downgrade that would drop data refuses and changes nothing; on an
empty database the whole chain goes down and up again.

The data come from one source database at head: for an older revision, each of its tables
receives the source's rows in the columns that table had then (COPY, as pg_dump would move
them); a column the old revision required but head no longer has is filled as the migration
that removed it expects (the five indicator columns before 0003).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL

from geo_service.allocation.service import allocate, record_run
from geo_service.audit import record
from geo_service.auth.keys import ROLES, create_key
from geo_service.config import get_settings
from geo_service.db import migrate
from geo_service.db.engine import make_engine
from geo_service.errors import DataLossRefused
from geo_service.privacy.retention import purge
from geo_service.reservations import service as reservations
from geo_service.scoring.household import BatchHousehold, parse_household
from geo_service.scoring.pipeline import held_flats
from geo_service.scoring.profile import ScoringProfile, load_profile
from geo_service.scoring.ranker_cache import ranker_of
from geo_service.transition import store
from geo_service.transition.sample import load_sample_waiting_list
from tests.conftest import Logins, NewDatabase

# Filled by the migrations themselves, or PostGIS's own.
NOT_COPIED = {"alembic_version", "storage_crs", "state_version", "spatial_ref_sys"}
LEGACY_INDICATORS = (
    "unemployment_rate",
    "sgb2_share",
    "child_poverty_rate",
    "foreign_share",
    "refugees_per_1000",
)
# Columns an old revision requires that head no longer has: how to fill them from head's data.
FILLED = {
    ("district_indicators", k): (
        "(SELECT v.value FROM district_indicator_values v WHERE v.district_code = t.district_code "
        f"AND v.year = t.year AND v.indicator = '{k}')"
    )
    for k in LEGACY_INDICATORS
}
# Rows an old revision cannot hold (its checks refuse them): (table, revision before which).
NOT_BEFORE = {
    ("api_keys", "0007"): "role <> 'partner'",
    ("allocations", "0013"): "method <> 'balanced'",
}
SCRIPT = ScriptDirectory.from_config(migrate.alembic_config())
CHAIN = [r.revision for r in reversed(list(SCRIPT.walk_revisions()))]
ONE = {"size": 1, "languages": ["ar"], "move_in": "2027-03-31"}
WHY = "Test: die Wohnung liegt nah an der Arbeit"  # an override reason (no personal data)


@dataclass(frozen=True)
class Column:
    """A column of a table at some revision."""

    name: str
    required: bool  # NOT NULL without a default


def columns(engine: Engine) -> dict[str, list[Column]]:
    """The public tables of a database with their columns, in column order."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.table_name, c.column_name, "
                "c.is_nullable = 'NO' AND c.column_default IS NULL "
                "FROM information_schema.columns c JOIN information_schema.tables t "
                "USING (table_schema, table_name) "
                "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' "
                "ORDER BY c.table_name, c.ordinal_position"
            )
        ).all()
    out: dict[str, list[Column]] = {}
    for table, name, required in rows:
        out.setdefault(table, []).append(Column(name, bool(required)))
    return out


def dependency_order(engine: Engine) -> list[str]:
    """Tables so that every table comes after those its foreign keys point to."""
    with engine.connect() as conn:
        edges = conn.execute(
            text(
                "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text "
                "FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
                "WHERE c.contype = 'f' AND n.nspname = 'public'"
            )
        ).all()
    tables = sorted(columns(engine))
    needs = {t: {target for source, target in edges if source == t and target != t} for t in tables}
    ordered: list[str] = []
    while len(ordered) < len(tables):
        ready = [t for t in tables if t not in ordered and needs[t] <= set(ordered)]
        ordered += ready
    return ordered


@dataclass(frozen=True)
class Copied:
    """What went into one table of the old revision: its columns and the rows' filter."""

    table: str
    names: list[str]
    where: str


def row_filter(table: str, revision: str) -> str:
    """Which of the source's rows the table can hold at ``revision``."""
    for (name, before), where in NOT_BEFORE.items():
        if name == table and CHAIN.index(revision) < CHAIN.index(before):
            return where
    return "true"


def copy_into(source: Engine, target: Engine, revision: str) -> list[Copied]:
    """COPY the source's rows into every table of the target (at ``revision``), in the columns
    the target has; reset the sequences after; return what was copied."""
    have, want = columns(source), columns(target)
    copied: list[Copied] = []
    src_pooled, dst_pooled = source.raw_connection(), target.raw_connection()
    src, dst = src_pooled.driver_connection, dst_pooled.driver_connection
    try:
        for table in dependency_order(target):
            if table in NOT_COPIED or table not in have:
                continue
            names = [c.name for c in want[table] if c.name in {h.name for h in have[table]}]
            filled = [c.name for c in want[table] if (table, c.name) in FILLED]
            missing = [c.name for c in want[table] if c.required and c.name not in names + filled]
            assert not missing, f"{table} at {revision} needs {missing}"
            where = row_filter(table, revision)
            select = ", ".join([*(f't."{n}"' for n in names), *(FILLED[table, n] for n in filled)])
            target_cols = ", ".join(f'"{n}"' for n in names + filled)
            with (
                src.cursor() as out_cur,
                dst.cursor() as in_cur,
                out_cur.copy(
                    f'COPY (SELECT {select} FROM "{table}" t WHERE {where}) TO STDOUT'
                ) as out,
                in_cur.copy(f'COPY "{table}" ({target_cols}) FROM STDIN') as into,
            ):
                for block in out:
                    into.write(block)
            copied.append(Copied(table, names, where))
        with dst.cursor() as cur:
            cur.execute(
                "SELECT format('SELECT setval(%L, (SELECT coalesce(max(%I), 0) + 1 FROM %I), "
                "false)', pg_get_serial_sequence(c.table_name, c.column_name), c.column_name, "
                "c.table_name) FROM information_schema.columns c WHERE c.table_schema = 'public' "
                "AND c.column_default LIKE 'nextval(%'"
            )
            for (statement,) in cur.fetchall():
                cur.execute(statement)
        dst.commit()
    finally:
        src_pooled.close()  # back to the pools
        dst_pooled.close()
    return copied


def digest(engine: Engine, table: str, names: list[str], where: str = "true") -> tuple[int, str]:
    """Row count and a checksum of ``names`` over ``table``'s rows matching ``where``."""
    row = ", ".join(f't."{n}"' for n in names)
    with engine.connect() as conn:
        count, checksum = conn.execute(
            text(
                "SELECT count(*), md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) FROM "
                f'(SELECT ROW({row})::text AS r FROM "{table}" t WHERE {where}) s'
            )
        ).one()
    return int(count), str(checksum)


@pytest.fixture(scope="module")
def profile() -> ScoringProfile:
    """The shipped profile."""
    return load_profile(get_settings().profile_path)


@pytest.fixture(scope="module")
def source(
    scored_sample_database_name: str, server_url: URL, logins: Logins, profile: ScoringProfile
) -> Iterator[Engine]:
    """The scored sample after a day's work, at head (the source of every revision's data)."""
    engine = make_engine(logins.url(server_url, scored_sample_database_name))
    key = store.cli_caller()
    with engine.begin() as conn:
        for role in ROLES:
            create_key(conn, role, f"upgrade {role}")
        create_key(conn, "partner", "upgrade partner", organisation="caritas")
    load_sample_waiting_list(engine, profile)
    household = parse_household(ONE, profile)
    ranker = ranker_of(None, engine, profile)
    n = profile.override_rules.recommended
    ranked = ranker.rank(household, limit=n + 1, held=held_flats(engine)).results
    flats = [r.flat_id for r in ranked[:3]]
    made = [
        reservations.reserve(engine, f, household, f"AZ-UP-{i}", key, profile)
        for i, f in enumerate(flats)
    ]
    outside = ranked[n].flat_id  # not among the recommended flats: held with a reason
    reservations.reserve(engine, outside, household, None, key, profile, override=WHY)
    reservations.transition(engine, made[1].id, "confirm", key, profile)
    reservations.transition(engine, made[2].id, "release", key, profile)
    batch = [BatchHousehold.model_validate({**ONE, "ref": f"AZ-BATCH-{i}"}) for i in range(3)]
    result = allocate(engine, profile, batch, "greedy", rankers=None)
    record_run(engine, result, batch, profile, key, reserve=True)
    balanced = allocate(engine, profile, batch, "balanced", rankers=None)
    record_run(engine, balanced, batch, profile, key, reserve=False)
    yield engine
    engine.dispose()


@pytest.fixture()
def at_revision(
    new_database: Callable[..., NewDatabase],
) -> Callable[[str], tuple[Engine, Engine]]:
    """A new database migrated to a revision: (service engine, owner engine)."""
    made: list[Engine] = []

    def build(revision: str) -> tuple[Engine, Engine]:
        db = new_database()
        owner, service = create_engine(db.owner_url), make_engine(db.url)
        made.extend((owner, service))
        migrate.upgrade(owner, service_role=service.url.username, revision=revision)
        return service, owner

    yield build  # type: ignore[misc]
    for engine in made:
        engine.dispose()


@pytest.mark.parametrize("revision", CHAIN[:-1])
def test_upgrade_from_every_revision_keeps_the_data(
    revision: str,
    source: Engine,
    at_revision: Callable[[str], tuple[Engine, Engine]],
    profile: ScoringProfile,
) -> None:
    """Data stored at ``revision`` is all there after the upgrade to head, and works."""
    service, owner = at_revision(revision)
    copied = copy_into(source, owner, revision)
    migrate.upgrade(owner, service_role=service.url.username)
    assert migrate.current_revision(owner) == migrate.head_revision()
    after = {c.table: digest(owner, c.table, c.names) for c in copied}
    for table in ("flats", "flat_features", "reservations", "audit_log", "api_keys"):
        assert after[table][0] > 0, table
    for c in copied:
        assert after[c.table] == digest(source, c.table, c.names, c.where), c.table
    if CHAIN.index(revision) < CHAIN.index("0003"):  # the indicator columns became rows
        names, legacy = (
            ["district_code", "year", "indicator", "value"],
            ", ".join(f"'{k}'" for k in LEGACY_INDICATORS),
        )
        moved = digest(owner, "district_indicator_values", names, f"indicator IN ({legacy})")
        assert moved[0] > 0
        assert moved == digest(
            source, "district_indicator_values", names, f"indicator IN ({legacy})"
        )
    the_log_takes_new_entries(service)
    holds_still_work(service, profile)
    if "waiting_list" in after:
        assert store.lookup(service, "BEISPIEL-0001").status == "waiting"


def the_log_takes_new_entries(service: Engine) -> None:
    """The audit log accepts the next entry after the copied ones and refuses changes."""
    with service.begin() as conn:
        last = conn.execute(text("SELECT max(id) FROM audit_log")).scalar_one()
        record(conn, "upgrade.check", role="cli", key_id=None)
        assert conn.execute(text("SELECT max(id) FROM audit_log")).scalar_one() > last
    with pytest.raises(Exception, match=r"append-only|permission denied"), service.begin() as conn:
        conn.execute(text("UPDATE audit_log SET action = 'x' WHERE id = :i"), {"i": last})


def holds_still_work(service: Engine, profile: ScoringProfile) -> None:
    """A hold kept from the old revision can be released, and the flat held again."""
    with service.connect() as conn:
        held, flat = conn.execute(
            text(
                "SELECT id, flat_id FROM reservations WHERE status = 'held' "
                "AND expires_at > now() ORDER BY created_at LIMIT 1"
            )
        ).one()
    key = store.cli_caller()
    assert reservations.transition(service, str(held), "release", key, profile).status == (
        "released"
    )
    with service.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO reservations (flat_id, household, profile_version, expires_at) "
                "VALUES (:f, '{}', 'x', now() + interval '1 day')"
            ),
            {"f": flat},
        )


def test_a_downgrade_that_would_drop_data_refuses(
    source: Engine, at_revision: Callable[[str], tuple[Engine, Engine]]
) -> None:
    """Going back from head with the data in: refused, naming what would be lost; the schema
    and every row stay. Service places, override reasons and balanced runs refuse 0013's own
    downgrade; anonymised rows (which an older schema cannot hold) refuse 0010's too."""
    service, owner = at_revision(CHAIN[-1])
    copied = copy_into(source, owner, CHAIN[-1])
    before = {c.table: digest(owner, c.table, c.names) for c in copied}
    with pytest.raises(DataLossRefused, match=r"abgelehnt: es würde .*Zeilen von"):
        migrate.downgrade(owner, CHAIN[0])
    assert migrate.current_revision(owner) == CHAIN[-1]
    assert {c.table: digest(owner, c.table, c.names) for c in copied} == before
    with service.begin() as conn:
        conn.execute(
            text(
                "UPDATE waiting_list SET withdrawn_at = now() - interval '1 year' "
                "WHERE status = 'withdrawn'"
            )
        )
    assert purge(service, 180).waiting_list_entries > 0
    with pytest.raises(DataLossRefused, match="Abweichung von den Empfehlungen") as refused:
        migrate.downgrade(owner, "0012")  # service places and override reasons
    assert "Zeilen von service_capacities" in str(refused.value)
    with owner.begin() as conn:
        conn.execute(text("DELETE FROM service_capacities"))
        conn.execute(text("UPDATE reservations SET services = '{}', override_reason = NULL"))
        conn.execute(text("UPDATE waiting_list SET override_reason = NULL"))
        conn.execute(text("DELETE FROM allocations WHERE method = 'balanced'"))
    with pytest.raises(DataLossRefused, match="anonymisierte Zeilen von waiting_list"):
        migrate.downgrade(owner, CHAIN[CHAIN.index("0010") - 1])


def test_an_empty_schema_goes_down_and_up(
    at_revision: Callable[[str], tuple[Engine, Engine]],
) -> None:
    """Without data every downgrade step runs (the guards refuse only data), back to head."""
    service, owner = at_revision(CHAIN[-1])
    assert migrate.downgrade(owner, "base") == (CHAIN[-1], None)
    migrate.upgrade(owner, service_role=service.url.username)
    assert migrate.current_revision(owner) == CHAIN[-1]
