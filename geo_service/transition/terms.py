"""The waiting list's closed vocabularies: statuses and the reasons a decline or withdrawal
may give (codes only, never free text that could identify someone). Plain ``typing`` so the
command line's help can list them without loading pydantic."""

from __future__ import annotations

from typing import Literal, get_args

WaitingStatus = Literal["waiting", "offered", "reserved", "moved", "withdrawn"]
DeclineReason = Literal[
    "household_declined", "landlord_declined", "not_suitable", "hold_expired", "other"
]
WithdrawReason = Literal["moved_elsewhere", "left_the_city", "no_longer_eligible", "other"]

WAITING_STATUSES: tuple[str, ...] = get_args(WaitingStatus)
DECLINE_REASONS: tuple[str, ...] = get_args(DeclineReason)
WITHDRAW_REASONS: tuple[str, ...] = get_args(WithdrawReason)
