"""Why a household of a batch stayed without a flat: its own reason, in a code and in words."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from geo_service.allocation.results import Unplaced
from geo_service.i18n import _, ngettext
from geo_service.scoring.explain import constraint_name

SHOWN = 5  # households or districts named in a reason


@dataclass(frozen=True)
class Fit:
    """What the score matrix knew about one household before solving."""

    fitting: int  # free flats passing every hard constraint
    fitting_districts: np.ndarray  # bool per district index: a fitting flat lies there
    failed: dict[str, int]  # per hard constraint: free flats failing it
    below_min_score: bool  # compatible flats existed, all under the profile's min_score
    # free flats fitting but for the service places: the full services in words (German)
    full_services: list[str] = field(default_factory=list)
    # the points its wishes add per flat (NaN where it may not go); None: it stated none
    wish: np.ndarray | None = None


def _names(items: list[str]) -> str:
    """'A, B, C' with '(+n more)' past SHOWN."""
    more = " " + _("(+{n} more)").format(n=len(items) - SHOWN) if len(items) > SHOWN else ""
    return ", ".join(items[:SHOWN]) + more


def explain_unplaced(
    i: int,
    refs: list[str | None],
    fit: Fit,
    scores: np.ndarray,
    flat_district: np.ndarray,
    left: np.ndarray,
    flat_of: np.ndarray,
    codes: list[str],
    services_used: list[str] | None = None,
) -> Unplaced:
    """The reason household ``i`` stayed unplaced.

    ``refs`` are the batch's case references, ``scores`` the household's row (NaN where it may
    not go), ``left`` the capacity each district had left before the batch, ``flat_of`` the
    solution (flat per household, -1 none), ``services_used`` the service places in the
    districts of its fitting flats that the batch used up ("Kita-Plätze in Beinum").
    """
    base = {"household": i, "ref": refs[i], "fitting_flats": fit.fitting}
    if fit.fitting == 0 and fit.full_services:
        return Unplaced(
            **base,
            code="services_full",
            reason=_(
                "the flats that fit it otherwise lie in districts without the places it needs: "
                "{places}"
            ).format(places="; ".join(fit.full_services[:SHOWN])),
            failed_constraints=fit.failed,
        )
    if fit.fitting == 0:
        worst = sorted(((n, c) for c, n in fit.failed.items() if n), reverse=True)
        which = _names(
            [
                ngettext(
                    "{constraint} not met by {n} flat", "{constraint} not met by {n} flats", n
                ).format(constraint=constraint_name(c), n=n)
                for n, c in worst
            ]
        )
        return Unplaced(
            **base,
            code="no_fitting_flat",
            reason=_("No free flat meets the household's requirements ({which}).").format(
                which=which
            ),
            failed_constraints=fit.failed,
        )
    if fit.below_min_score:
        return Unplaced(
            **base,
            code="below_min_score",
            reason=_("Every fitting flat scores below the profile's minimum placement score."),
        )
    usable = np.isfinite(scores) & (left[flat_district] > 0)
    if not usable.any():
        full = [codes[k] for k in np.flatnonzero(fit.fitting_districts)]
        return Unplaced(
            **base,
            code="districts_full",
            reason=ngettext(
                "Its {n} fitting flat lies in a district that reached its quota or was "
                "excluded: {districts}.",
                "Its {n} fitting flats all lie in districts that reached their quota or were "
                "excluded: {districts}.",
                fit.fitting,
            ).format(n=fit.fitting, districts=_names(full)),
            districts=full,
        )
    taken = np.zeros(len(scores), dtype=int) - 1
    placed = np.flatnonzero(flat_of >= 0)
    taken[flat_of[placed]] = placed
    by = sorted({int(h) for h in taken[usable] if h >= 0})
    used = np.bincount(flat_district[flat_of[placed]], minlength=len(left))
    ran_out = sorted({codes[d] for d in flat_district[usable & (taken < 0)] if used[d] >= left[d]})
    parts = []
    if by:
        who = _names([refs[h] or f"#{h}" for h in by])
        parts.append(_("went to other households of the batch ({who})").format(who=who))
    if ran_out:
        parts.append(
            _("lie in districts whose remaining quota the batch used: {districts}").format(
                districts=_names(ran_out)
            )
        )
    if services_used:
        parts.append(
            _("lie in districts whose service places the batch used up: {places}").format(
                places=_names(services_used)
            )
        )
    if not parts:
        parts.append(
            _(
                "were left unused by the solver (placing it would not raise the total score, or "
                "the time limit ended first)"
            )
        )
    n = int(usable.sum())
    return Unplaced(
        **base,
        code="outranked",
        reason=ngettext(
            "Other households came first: its {n} fitting flat in a district with room {why}.",
            "Other households came first: its {n} fitting flats in districts with room {why}.",
            n,
        ).format(n=n, why=_(" or ").join(parts)),
        districts=ran_out,
        taken_by=by,
    )
