"""A restarted cluster keeps its port even when clients were connected at stop."""

from __future__ import annotations

import psycopg

from geo_service.db import cluster


def test_restart_keeps_the_port_after_open_connections(private_cluster: cluster.Cluster) -> None:
    """Services keep their URL: the closed connections' sockets must not look like a listener."""
    cluster.start(private_cluster)
    port = private_cluster.port()
    libpq = private_cluster.url().replace("postgresql+psycopg://", "postgresql://")
    conns = [psycopg.connect(libpq) for _ in range(2)]
    cluster.stop(private_cluster)
    cluster.start(private_cluster)
    assert private_cluster.port() == port
    for conn in conns:
        conn.close()
    with psycopg.connect(libpq) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
