"""HTTP layer (FastAPI): parse, authorise, call a service, serialise. No SQL or maths here."""
