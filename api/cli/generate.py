"""`timeline generate`: fill an empty database with a deterministic synthetic data set."""

import sys

import click
from flask.cli import with_appcontext

from api.synthetic.loader import GenerationFailed, load_synthetic


@click.command("generate")
@click.option(
    "--events", type=click.IntRange(1, 20_000_000), required=True, help="How many events."
)
@click.option("--actors", type=click.IntRange(40, 1_000_000), default=2000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same data.")
@with_appcontext
def generate_command(events: int, actors: int, seed: int) -> None:
    """Fill an empty database with EVENTS synthetic events (for benchmarks), in batches.

    Generated records are not journaled: they have no revisions and no change-feed entries.
    """
    with click.progressbar(length=events, label="Generating events", file=sys.stderr) as bar:
        try:
            made_actors, sources = load_synthetic(events, actors, seed, bar.update)
        except GenerationFailed as error:
            raise click.ClickException(str(error)) from None
    click.echo(
        f"Generated {events} events, {made_actors} actors and {sources} sources (seed {seed})."
    )
