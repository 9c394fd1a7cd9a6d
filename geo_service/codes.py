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

# A list of codes may name a whole vocabulary: at most this many (more than any vocabulary has).
CODE_LIST_MAX = 1000

Code = Annotated[str, Field(min_length=1, max_length=CODE_MAX, pattern=CODE_PATTERN)]
