"""``/api/v1/offers/{id}``: partners keep their own offers (create, change with If-Match,
pause, resume, publish, retire) and everyone reads an offer's history."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Response
from sqlalchemy import Engine

from geo_service.api.deps import engine, profile, require
from geo_service.api.workspace_schemas import REQUIRED_IN_PATCH, OfferCreate, OfferPatch
from geo_service.auth.keys import PARTNER, KeyInfo
from geo_service.catalogue import editing
from geo_service.catalogue.editing import OfferRecord
from geo_service.catalogue.versions import OfferHistory, history
from geo_service.errors import InputError, PreconditionRequired
from geo_service.i18n import _
from geo_service.scoring.profile import ScoringProfile

router = APIRouter(prefix="/offers", tags=["offers"])
PREFIX = "/api/v1/offers"
ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')
HEADERS = {
    "ETag": {
        "description": "The offer's version; send it as If-Match",
        "schema": {"type": "string"},
    }
}
UNKNOWN: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown offer, or another organisation's draft"}
}
EDIT: dict[int | str, dict[str, Any]] = {
    **UNKNOWN,
    200: {"headers": HEADERS},
    403: {"description": "Not the key's organisation's offer (audited), or not a partner key"},
    409: {"description": "The offer's status does not allow this (e.g. retired)"},
    412: {"description": "If-Match names an older version: read the offer again"},
}
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=40,
        description='The ETag of the version the change is based on, e.g. "3".',
    ),
]


editor = require(PARTNER, audit_refusal="offer_change_refused")


def version_of(if_match: str | None, required: bool) -> int | None:
    """The version an If-Match header names (428 when required and missing)."""
    if if_match is None:
        if required:
            raise PreconditionRequired(
                _("changing an offer needs If-Match with its ETag (GET the offer, send its ETag)")
            )
        return None
    found = ETAG.match(if_match)
    if not found:
        raise InputError(
            _('If-Match: expected an offer ETag such as "3", got “{value}”').format(value=if_match)
        )
    return int(found.group(1))


def tagged(response: Response, offer: OfferRecord) -> OfferRecord:
    """Set the ETag header of ``offer``'s version."""
    response.headers["ETag"] = f'"{offer.version}"'
    return offer


@router.post(
    "",
    status_code=201,
    summary="Create an offer",
    response_model=OfferRecord,
    responses={
        201: {
            "headers": {
                **HEADERS,
                "Location": {"description": "URL of the offer", "schema": {"type": "string"}},
            }
        },
        403: {"description": "Not a partner or admin key, or another organisation (audited)"},
        404: {"description": "Unknown organisation"},
    },
)
def create(
    body: OfferCreate,
    response: Response,
    key: KeyInfo = Depends(editor),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
) -> OfferRecord:
    """A new offer of the key's organisation, validated as an import validates it (category,
    languages, coordinates inside the city); ``status: draft`` keeps it to the organisation."""
    values = body.model_dump(exclude={"status", "organisation"})
    offer = editing.create_offer(db, values, key, prof, body.organisation, body.status)
    response.headers["Location"] = f"{PREFIX}/{offer.id}"
    return tagged(response, offer)


@router.get(
    "/{offer_id}",
    summary="Read an offer",
    response_model=OfferRecord,
    responses={**UNKNOWN, 200: {"headers": HEADERS}},
)
def read(
    offer_id: str,
    response: Response,
    key: KeyInfo = Depends(require("viewer")),
    db: Engine = Depends(engine),
) -> OfferRecord:
    """The offer with status, organisation and version (ETag); drafts only for their
    organisation and admins."""
    return tagged(response, editing.get_offer(db, offer_id, key))


@router.patch(
    "/{offer_id}",
    summary="Change an offer",
    response_model=OfferRecord,
    responses={**EDIT, 428: {"description": "If-Match is missing"}},
)
def patch(
    offer_id: str,
    response: Response,
    body: Annotated[OfferPatch, Body()],
    if_match: IfMatch = None,
    key: KeyInfo = Depends(editor),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
) -> OfferRecord:
    """Change the fields sent (null clears an optional one) if the offer is still at the
    version If-Match names (else 412: read it again); validated as an import."""
    expected = version_of(if_match, required=True)
    assert expected is not None
    changes = body.changes()
    cleared = sorted(k for k in REQUIRED_IN_PATCH if k in changes and changes[k] is None)
    if cleared:
        raise InputError(
            _("{field} may not be null (it is required)").format(field=cleared[0]),
            errors=[{"pointer": f"/{k}", "message": _("required, not null")} for k in cleared],
        )
    return tagged(response, editing.update_offer(db, offer_id, changes, expected, key, prof))


def _status_route(action: editing.StatusAction, summary: str, doc: str) -> None:
    """Register ``POST /offers/{id}/<action>``."""

    def change(
        offer_id: str,
        response: Response,
        if_match: IfMatch = None,
        key: KeyInfo = Depends(editor),
        db: Engine = Depends(engine),
    ) -> OfferRecord:
        expected = version_of(if_match, required=False)
        return tagged(response, editing.change_status(db, offer_id, action, key, expected))

    change.__doc__ = doc
    change.__name__ = action
    router.add_api_route(
        f"/{{offer_id}}/{action}",
        change,
        methods=["POST"],
        summary=summary,
        response_model=OfferRecord,
        responses=EDIT,
    )


_status_route("pause", "Pause an offer", "Take an active offer out of listings for a while.")
_status_route("resume", "Resume an offer", "List a paused offer again.")
_status_route("publish", "Publish a draft", "Make a draft offer active (listed, referred).")
_status_route("retire", "Retire an offer", "End an offer for good (its history stays).")


@router.get(
    "/{offer_id}/history",
    summary="An offer's history",
    response_model=OfferHistory,
    responses=UNKNOWN,
)
def offer_history(
    offer_id: str,
    key: KeyInfo = Depends(require("viewer")),
    db: Engine = Depends(engine),
) -> OfferHistory:
    """Every change, oldest first: who (key, organisation), when, which fields from what to
    what; imports included."""
    editing.get_offer(db, offer_id, key)
    return history(db, offer_id)
