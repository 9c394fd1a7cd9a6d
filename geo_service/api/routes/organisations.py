"""``/api/v1/organisations``: the round table's organisation registry (admins register)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from sqlalchemy import Engine

from geo_service.api.deps import engine, require
from geo_service.api.workspace_schemas import OrganisationCreate
from geo_service.audit import record
from geo_service.auth.keys import KeyInfo
from geo_service.catalogue.organisations import (
    Organisation,
    OrganisationList,
    create_organisation,
    organisations,
)

router = APIRouter(prefix="/organisations", tags=["organisations"])


@router.get("", summary="List organisations", response_model=OrganisationList)
def listing(
    key: KeyInfo = Depends(require("viewer")), db: Engine = Depends(engine)
) -> OrganisationList:
    """Every registered organisation with the number of offers it keeps."""
    return organisations(db)


@router.post(
    "",
    status_code=201,
    summary="Register an organisation",
    response_model=Organisation,
    responses={409: {"description": "The id or name is registered already"}},
)
def create(
    body: OrganisationCreate,
    response: Response,
    key: KeyInfo = Depends(require("admin")),
    db: Engine = Depends(engine),
) -> Organisation:
    """Register an organisation; offers whose provider is its name and that nobody keeps yet
    become its offers. Partner keys for it: ``geo-service apikey create --role partner``."""
    with db.begin() as conn:
        org = create_organisation(conn, body.name, body.id)
        record(
            conn,
            "organisation_created",
            role=key.role,
            key_id=key.id,
            detail=org.model_dump(mode="json"),
        )
    response.headers["Location"] = f"/api/v1/organisations/{org.id}"
    return org
