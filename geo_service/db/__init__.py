"""Database layer: engine, table models, migrations and the embedded PostGIS cluster."""
