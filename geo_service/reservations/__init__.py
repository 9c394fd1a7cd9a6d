"""Reservations: holds and confirmations of flats, one active per flat (database-enforced)."""
