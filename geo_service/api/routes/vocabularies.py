"""``/api/v1/vocabularies``: every code a request may use or an answer may contain."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import Engine

from geo_service.api.deps import engine, profile, require
from geo_service.auth.keys import KeyInfo
from geo_service.scoring.profile import ScoringProfile
from geo_service.vocabulary import Vocabulary, vocabulary

router = APIRouter(prefix="/vocabularies", tags=["vocabularies"])


@router.get(
    "", summary="Categories, needs, languages, roles and other codes", response_model=Vocabulary
)
def vocabularies(
    key: KeyInfo = Depends(require("viewer")),
    db: Engine = Depends(engine),
    prof: ScoringProfile = Depends(profile),
) -> Vocabulary:
    """The scoring profile's categories (with their decay rule in words) and needs, the
    catalogue's offer categories and languages, roles, import kinds, reservation statuses,
    allocation methods, unplaced-reason codes and ranking exclusion reasons."""
    return vocabulary(prof, db)
