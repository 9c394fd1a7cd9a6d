"""Ingest: readers and validators for every input kind; one transaction per import."""
