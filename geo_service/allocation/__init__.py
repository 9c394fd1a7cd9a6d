"""Batch allocation of households to flats under district capacities (MILP with HiGHS)."""
