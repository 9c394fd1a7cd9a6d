"""The one type of a code from a closed vocabulary: offer categories, needs, languages, district
codes, flat ids, reasons, audit actions.

The vocabulary is the only rule a code needs (checked where the request is parsed, with a 400
naming the known codes). The length bound only keeps absurd input out: it lies far above any
code a vocabulary holds, and the places that make codes (the scoring profile, the imports) refuse
longer ones, so no code they accept can be refused by a request.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

CODE_MAX = 64
CODE_PATTERN = r"^[^\x00-\x1f\x7f]+$"  # printable: PostgreSQL text cannot hold NUL

# A list of codes in a body may name a whole vocabulary: at most this many (more than any
# vocabulary has). In a URL a list is bounded by the URL's length too (uvicorn reads at most
# 16 KiB of request line and headers): ``QUERY_CODES_MAX`` codes, ``QUERY_LANGUAGES_MAX``
# language codes (ISO 639-1 and the accepted ISO 639-3 codes: 198).
CODE_LIST_MAX = 1000
QUERY_CODES_MAX = 50
QUERY_LANGUAGES_MAX = 250
LANGUAGE_PATTERN = r"^[a-z]{2,3}$"

Code = Annotated[str, Field(min_length=1, max_length=CODE_MAX, pattern=CODE_PATTERN)]
LanguageCode = Annotated[str, Field(pattern=LANGUAGE_PATTERN)]
