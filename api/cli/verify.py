"""`timeline verify`: check the database, and every derived table against a rebuild."""

import sys
from collections import Counter

import click
from flask.cli import with_appcontext

from api.storage.connection import database
from api.storage.models import Event
from api.writes.verify import differences, integrity_checks, integrity_problems, repair

# Differences printed per table; the rest are counted.
SHOWN_PER_TABLE = 20


def _compare() -> tuple[Counter, list[tuple]]:
    """Print each difference (up to a number per table); return counts by table and fixes."""
    counts: Counter = Counter()
    fixes = []
    with click.progressbar(
        length=Event.select().count(), label="Comparing events", file=sys.stderr
    ) as bar:
        for difference in differences(bar.update):
            counts[difference.table] += 1
            fixes.append(difference.fix)
            if counts[difference.table] <= SHOWN_PER_TABLE:
                click.echo(str(difference))
    for table, count in sorted(counts.items()):
        if count > SHOWN_PER_TABLE:
            click.echo(f"{table}: {count - SHOWN_PER_TABLE} more difference(s) not shown")
    return counts, fixes


@click.command("verify")
@click.option(
    "--repair",
    "repairing",
    is_flag=True,
    help="Rebuild whatever differs, in one transaction, then compare again.",
)
@with_appcontext
def verify_command(repairing: bool) -> None:
    """Check the database's integrity and compare every derived table with a rebuild.

    Derived tables: date columns and their copies, stored documents and digests, the
    search index, every rollup, and the newest change-feed entry of each event.
    Prints each difference (table, key, stored value, rebuilt value). Exits 0 when all
    agree, 1 when something differs (after --repair: when something still does).
    """
    with database.connection_context():
        click.echo(f"Integrity checks: {integrity_checks()}.")
        problems = integrity_problems()
        for problem in problems:
            click.echo(f"integrity: {problem}")
        counts, fixes = _compare()
        if repairing and fixes:
            repair(fixes)
            click.echo(f"Repaired {len(fixes)} difference(s) in one transaction; comparing again.")
            counts, _ = _compare()
    if problems or counts:
        summary = ", ".join(f"{table}: {count}" for table, count in sorted(counts.items()))
        raise click.ClickException(
            "the database does not agree with a rebuild"
            + (f" ({summary})" if summary else "")
            + (f"; {len(problems)} integrity problem(s)" if problems else "")
        )
    click.echo(
        "Everything agrees: integrity checks pass, and every derived table equals a rebuild."
    )
