"""Scoring: profile, accessibility features, district index, household fit, ranking."""
