"""The look-ahead plans a process keeps (``PlanCache``, as ``app.state.plans``): reused while
fresh, recomputed when stale, forgotten on request, and never shared across another reading
of the features."""

from __future__ import annotations

from sqlalchemy import Engine

from geo_service.scoring.profile import ScoringProfile
from geo_service.scoring.ranker_cache import RankerCache
from geo_service.transition.plan import PlanCache, current_plan


def test_a_fresh_plan_is_reused_and_a_stale_one_recomputed(
    api_engine: Engine, sample_profile: ScoringProfile
) -> None:
    """Within ``replan_minutes`` the same plan serves; at 0 minutes, after ``forget`` and for
    another reading of the features, a new one is computed."""
    rankers, plans = RankerCache(), PlanCache()
    first = plans.current(api_engine, sample_profile, rankers)
    assert current_plan(api_engine, sample_profile, rankers=rankers, plans=plans) is first
    plans.forget()
    second = plans.current(api_engine, sample_profile, rankers)
    assert second is not first and second.plan.district_potential.shape == (
        first.plan.district_potential.shape
    )
    again = plans.current(api_engine, sample_profile, RankerCache())  # features read again
    assert again is not second
    rules = sample_profile.transition_rules.model_copy(update={"replan_minutes": 0.0})
    always = sample_profile.model_copy(update={"transition": rules})
    assert plans.current(api_engine, always, rankers) is not plans.current(
        api_engine, always, rankers
    )


def test_without_a_cache_every_call_computes_its_plan(
    api_engine: Engine, sample_profile: ScoringProfile
) -> None:
    """A caller that keeps no plans (a CLI command) gets a plan computed for it each time."""
    rankers = RankerCache()
    one = current_plan(api_engine, sample_profile, rankers=rankers)
    assert current_plan(api_engine, sample_profile, rankers=rankers) is not one
