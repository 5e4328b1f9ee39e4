"""Query plans: the benchmark's reads and the actor lookups use indexes, on both backends.

Each request's statements are recorded as it runs, then explained. No statement may read a
whole table, and each read must use the index it was designed around, so that a schema
change dropping one fails here rather than in production.
"""

import re

import pytest

from api.storage.connection import database, is_postgresql
from api.storage.models import ActorAlias
from bench.floor import recording_statements

ACTOR = "actor-00001"  # the most popular generated actor (a state, with members)
EVENT_INDEX = "event_span_class_date_start_date_end_id"
ACTOR_INDEX = "event_actor_actor_id_span_class_date_start"
Q1 = "/v1/events?from=2023-01-01&to=2023-12-31&limit=100"
Q2 = f"{Q1}&actor={ACTOR}&role=supplier"
# SQLite scans its own subqueries and CTEs by name; those are not tables.
_NOT_TABLES = re.compile(r"span_\d+|tree|CONSTANT ROW|\(subquery-\d+\)")


def _plans(statements: list[tuple[str, tuple]]) -> list[str]:
    """Explain each statement; return one text per statement."""
    plans = []
    with database.connection_context():
        if is_postgresql():
            # Small tables would be read whole for speed; this asks whether an index exists.
            database.execute_sql("SET enable_seqscan = off")
        for sql, params in statements:
            explain = "EXPLAIN " if is_postgresql() else "EXPLAIN QUERY PLAN "
            rows = database.execute_sql(explain + sql, params).fetchall()
            plans.append("\n".join(str(row[-1]) for row in rows))
        if is_postgresql():
            database.execute_sql("RESET enable_seqscan")
    return plans


def _whole_table_reads(plan: str) -> list[str]:
    if is_postgresql():
        return re.findall(r"Seq Scan on (\w+)", plan)
    scanned = re.findall(r"^SCAN (.+?)(?: USING .*)?$", plan, re.MULTILINE)
    return [name for name in scanned if not _NOT_TABLES.fullmatch(name)]


def _names(client) -> dict[str, str]:
    """Return an event id and an actor alias of the generated data."""
    event = client.get(f"{Q1}&limit=1").get_json()["data"][0]["id"]
    with database.connection_context():
        alias = ActorAlias.select(ActorAlias.alias).order_by(ActorAlias.key).first().alias
    return {"event": event, "alias": alias}


@pytest.mark.parametrize(
    ("name", "path", "indexes"),
    [
        ("Q1 a year of events", Q1, [EVENT_INDEX]),
        ("Q2 a popular supplier's year", Q2, [ACTOR_INDEX]),
        ("Q5 Q2 counted", f"{Q2}&count=true", [ACTOR_INDEX]),
        ("Q2 descending", f"{Q2}&sort=-date", [ACTOR_INDEX]),
        ("actor with members", f"{Q1}&actor={ACTOR}&include_members=true", [ACTOR_INDEX]),
        ("actor by alias", Q1 + "&actor={alias}", [ACTOR_INDEX, "actor_alias"]),
        ("an actor's events", f"/v1/actors/{ACTOR}/events?limit=50", [ACTOR_INDEX]),
        ("an actor", f"/v1/actors/{ACTOR}", ["actor"]),
        ("Q4 an event", "/v1/events/{event}", ["event"]),
    ],
)
def test_reads_use_their_indexes(generated_client, name, path, indexes):
    path = path.format(**_names(generated_client)) if "{" in path else path
    with recording_statements() as statements:
        response = generated_client.get(path)
    assert response.status_code == 200, response.get_json()
    assert statements, name
    plans = _plans(statements)
    for (sql, _), plan in zip(statements, plans, strict=True):
        assert not _whole_table_reads(plan), f"{name} reads a whole table:\n{sql}\n{plan}"
    together = "\n".join(plans)
    for index in indexes:
        assert index in together, f"{name} does not use {index}:\n{together}"
