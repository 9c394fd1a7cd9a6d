"""Query plans of feature queries, to check that bbox filters use the GiST indexes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Select


def plan_nodes(conn: Connection, statement: Select[Any]) -> list[dict[str, Any]]:
    """Every node of the statement's ``EXPLAIN (FORMAT JSON)`` plan, depth first."""
    compiled = statement.compile(dialect=conn.dialect)
    sql = "EXPLAIN (FORMAT JSON) " + str(compiled)
    plan = conn.exec_driver_sql(sql, compiled.params).scalar_one()

    def walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield node
        for child in node.get("Plans", []):
            yield from walk(child)

    return list(walk(plan[0]["Plan"]))


def scans_of(nodes: list[dict[str, Any]], table: str) -> set[str]:
    """How the plan reads ``table``: node types such as 'Seq Scan' or 'Bitmap Heap Scan'."""
    return {n["Node Type"] for n in nodes if n.get("Relation Name") == table}


def indexes_used(nodes: list[dict[str, Any]]) -> set[str]:
    """Names of the indexes the plan scans."""
    return {n["Index Name"] for n in nodes if "Index Name" in n}
