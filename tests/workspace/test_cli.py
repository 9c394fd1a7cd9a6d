"""The registry and partner keys from the command line (real CLI subprocesses); the version
table is append-only for the service role."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from tests.conftest import run_cli


def test_organisation_and_partner_key_commands(sample_database_url: str) -> None:
    """``organisation create`` claims the offers named after it; ``apikey create --role
    partner --organisation`` binds the key; ``apikey list`` shows the organisation."""
    made = run_cli(sample_database_url, "organisation", "create", "Polizeiinspektion (Prävention)")
    assert made.returncode == 0, made.stderr
    assert "polizeiinspektion-praevention" in made.stderr and "sie pflegt 5 Angebote" in made.stderr
    listed = run_cli(sample_database_url, "organisation", "list", "--json")
    orgs = {o["id"]: o for o in json.loads(listed.stdout)["items"]}
    assert orgs["polizeiinspektion-praevention"]["offers"] == 5
    assert orgs["caritas"]["offers"] == 8
    again = run_cli(sample_database_url, "organisation", "create", "Caritas")
    assert again.returncode != 0 and "gibt es schon" in again.stderr
    key = run_cli(
        sample_database_url,
        "apikey",
        "create",
        "--role",
        "partner",
        "--organisation",
        "caritas",
        "--name",
        "Caritas Büro",
    )
    assert key.returncode == 0, key.stderr
    assert "mit der Rolle „Partnerorganisation“ der Organisation caritas" in key.stderr
    assert key.stdout.strip().startswith("gs_")
    keys = json.loads(run_cli(sample_database_url, "apikey", "list", "--json").stdout)
    assert [k["organisation"] for k in keys if k["name"] == "Caritas Büro"] == ["caritas"]
    missing = run_cli(sample_database_url, "apikey", "create", "--role", "partner", "--name", "x")
    assert missing.returncode == 2 and "braucht --organisation" in missing.stderr
    unknown = run_cli(
        sample_database_url,
        "apikey",
        "create",
        "--role",
        "partner",
        "--organisation",
        "nobody",
        "--name",
        "x",
    )
    assert unknown.returncode != 0 and "keine Organisation „nobody“" in unknown.stderr


def test_offer_versions_are_append_only(sample_engine: Engine) -> None:
    """The service role may add versions but not rewrite or delete them."""
    for statement in (
        "UPDATE offer_versions SET action = 'update'",
        "DELETE FROM offer_versions",
    ):
        with pytest.raises(DBAPIError), sample_engine.begin() as conn:
            conn.execute(text(statement))
    with sample_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM offer_versions")).scalar_one() >= 110
