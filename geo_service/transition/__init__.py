"""Transition management: the waiting list, look-ahead recommendations and the year simulation."""
