"""A ranking's JSON, encoded once: the explained flats' nearest places (most of the bytes, the
same for every household speaking the same languages) come from the JSON their ``Places``
keep, spliced into the encoding of the rest; byte for byte ``Ranking.model_dump_json()``.

The splice points: without ``nearest``, each flat's ``contributions`` object is followed by
``,"categories":{``, so ``},"categories":{`` marks one place per flat, in order. No string
holds it (JSON escapes the quote inside strings) and no other object has a ``categories`` key
after an object; a category named ``categories`` would add marks, so the count is checked and
any other count encodes the whole ranking instead."""

from __future__ import annotations

from geo_service.scoring.places import Places
from geo_service.scoring.results import Ranking

_WITHOUT_NEAREST = {"results": {"__all__": {"nearest"}}}
_MARK = b'},"categories":{'


def ranking_json(ranking: Ranking) -> bytes:
    """``ranking`` as JSON bytes, each flat's nearest places from their kept JSON."""
    encode = Ranking.__pydantic_serializer__.to_json
    kept = [flat.nearest for flat in ranking.results if isinstance(flat.nearest, Places)]
    if len(kept) != len(ranking.results):  # built elsewhere (validated: a plain dict)
        return encode(ranking)
    parts = encode(ranking, exclude=_WITHOUT_NEAREST).split(_MARK)
    if len(parts) != len(kept) + 1:
        return encode(ranking)
    out = [parts[0]]
    for places, part in zip(kept, parts[1:], strict=True):
        out += [b'},"nearest":', places.json(), b',"categories":{', part]
    return b"".join(out)
