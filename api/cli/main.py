"""The `timeline` command: Flask's CLI over the app factory, plus this project's commands."""

import difflib
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click
import yaml
from flask import current_app
from flask.cli import FlaskGroup
from marshmallow import ValidationError
from tqdm import tqdm

from api import create_app
from api.cli.examples import collect_response_examples, examples_json
from api.cli.generate import generate_command
from api.cli.tokens import token_cli
from api.cli.verify import verify_command
from api.domain.errors import InvalidRecords, validation_problems
from api.http.openapi import RESPONSE_EXAMPLES_FILE, spec_yaml
from api.schemas.imports import ImportMappingSchema
from api.settings import load_settings
from api.storage.connection import database, utc_now, write_transaction
from api.storage.migrations import create_schema
from api.writes.backfill import backfill_journal
from api.writes.derived import complete
from api.writes.imports import IMPORT_FORMATS, UPSTREAM_FORMATS, ImportOptions, run_import
from api.writes.seeding import seed
from api.writes.transfer import IMPORT_AUTHOR, export_lines

cli = FlaskGroup(
    name="timeline",
    create_app=create_app,
    load_dotenv=False,
    help="Timeline API: dated geopolitical events with actors, sources and honest dates.",
)


cli.add_command(token_cli)
cli.add_command(generate_command)
cli.add_command(verify_command)


@cli.command("init-db")
def init_db_command() -> None:
    """Create the database tables and indexes that do not exist yet."""
    added = create_schema()
    for column in added:
        click.echo(f"Added column {column}")
    with database.connection_context():
        for done in complete(added):
            click.echo(done)
        # Only a database from before revisions existed holds records never journaled.
        if "event.revision" in added:
            with write_transaction():
                journaled = backfill_journal(utc_now())
            if journaled:
                click.echo(f"Journaled {journaled} record(s) written before revisions existed")
    click.echo(f"Database ready: {_redacted(current_app.config['DATABASE_URL'])}")


@cli.command("seed")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def seed_command(paths: tuple[Path, ...]) -> None:
    """Load fixture files or folders (default: fixtures/) in one transaction, by id."""
    targets = list(paths) or [Path(current_app.config["FIXTURES"])]
    with _reporting_problems("the fixtures"), database.connection_context():
        _echo_counts(seed(targets, utc_now()))


@cli.command("serve", with_appcontext=False)
@click.option("--bind", "-b", help="Address to listen on (default: TIMELINE_BIND).")
@click.option("--workers", "-w", type=click.IntRange(min=1), help="Worker processes.")
@click.option(
    "--config",
    "config_path",
    default="gunicorn.conf.py",
    show_default=True,
    type=click.Path(exists=True, dir_okay=False),
    help="gunicorn configuration file.",
)
def serve_command(bind: str | None, workers: int | None, config_path: str) -> None:
    """Serve the API with gunicorn and gunicorn.conf.py."""
    settings = load_settings()
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        config_path,
        "--bind",
        bind or settings["BIND"],
        "--workers",
        str(workers or settings["WORKERS"]),
        "api:create_app()",
    ]
    os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn


@cli.command("openapi")
@click.option(
    "--output",
    "-o",
    default="openapi.yaml",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where the YAML document goes.",
)
@click.option("--check", is_flag=True, help="Fail if the file differs from what the code makes.")
def openapi_command(output: Path, check: bool) -> None:
    """Write the OpenAPI document and its examples (answered over the fixtures), or check both."""
    examples = examples_json(collect_response_examples(Path(current_app.config["FIXTURES"])))
    if not check:
        RESPONSE_EXAMPLES_FILE.write_text(examples, encoding="utf-8")
        # A new app, so that its document holds the examples just written.
        output.write_text(spec_yaml(create_app({"SECRET_KEY": "spec"})), encoding="utf-8")
        click.echo(f"Wrote {RESPONSE_EXAMPLES_FILE.name} and {output}")
        return
    stale = [
        path.name
        for path, generated in (
            (RESPONSE_EXAMPLES_FILE, examples),
            (output, spec_yaml(current_app)),
        )
        if not _is_current(path, generated)
    ]
    if stale:
        raise click.ClickException(f"{' and '.join(stale)} out of date: run `timeline openapi`.")
    click.echo(f"{output} and its examples are up to date")


def _is_current(path: Path, generated: str) -> bool:
    """Say whether the committed file holds what was generated, printing the difference if not."""
    committed = path.read_text(encoding="utf-8") if path.exists() else ""
    if committed == generated:
        return True
    diff = difflib.unified_diff(
        committed.splitlines(), generated.splitlines(), str(path), "generated", lineterm=""
    )
    click.echo("\n".join(list(diff)[:80]), err=True)
    return False


@cli.command("export")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: standard output).",
)
def export_command(output: Path | None) -> None:
    """Write every actor, source and event (with relations) as NDJSON, one record a line."""
    with database.connection_context():
        if output is None:
            for line in export_lines():
                click.echo(line, nl=False)
            return
        with output.open("w", encoding="utf-8", newline="\n") as file:
            file.writelines(export_lines())
    click.echo(f"Wrote {output}", err=True)


@cli.command("import")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(IMPORT_FORMATS),
    default="ndjson",
    show_default=True,
    help="ndjson: a `timeline export` file; csv: events in the columns of the CSV export; "
    "acled: ACLED's CSV export; ucdp-ged: UCDP GED's CSV; ftm: FollowTheMoney JSON lines "
    "(OpenSanctions).",
)
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML file overriding the default mappings (event types, actors, sources).",
)
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the good rows; write the rejected ones, with reasons, to --rejects.",
)
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where --skip-invalid writes rejected rows (default: FILE.rejected.ndjson).",
)
@click.option("--dry-run", is_flag=True, help="Check and count everything; write nothing.")
@click.argument("path", type=click.Path(allow_dash=True, dir_okay=False, path_type=Path))
def import_command(  # click passes each option by name
    *,
    file_format: str,
    mapping: Path | None,
    skip_invalid: bool,
    rejects: Path | None,
    dry_run: bool,
    path: Path,
) -> None:
    """Load FILE (or - for standard input) in one transaction, upserting by id.

    A CSV file holds events only, whose actors and sources must exist; it has no quotes, so
    each citation an event already has keeps its quote. Upstream rows get ids from their own
    (acled-<event_id_cnty>, ucdp-ged-<id>, ftm-<Sanction id>): importing a file again changes
    nothing, and a changed row updates its event.
    """
    name = "<stdin>" if str(path) == "-" else str(path)
    options = ImportOptions(skip_invalid=skip_invalid, dry_run=dry_run)
    rejects = rejects or Path(f"{'import' if name == '<stdin>' else name}.rejected.ndjson")
    with (
        _reporting_problems(name),
        database.connection_context(),
        _opened(path) as lines,
        _rejects_file(rejects, skip_invalid) as rejected,
        _progress_bar(file_format) as progress,
    ):
        try:
            report = run_import(
                file_format,
                lines,
                name,
                utc_now(),
                IMPORT_AUTHOR,
                mapping=_read_mapping(mapping) if mapping else None,
                options=options,
                rejected=rejected,
                progress=progress,
            )
        except UnicodeDecodeError as error:
            message = f"{name} is not UTF-8 ({error}); nothing was written."
            raise click.ClickException(message) from None
    _echo_counts(report.counts)
    if skip_invalid:
        click.echo(f"rows: {report.rows} read, {report.rejected} rejected (see {rejects})")
    if dry_run:
        click.echo("dry run: nothing was written")


def _read_mapping(path: Path) -> dict:
    """Read and validate a --mapping file (YAML)."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(document, dict):
            raise ValidationError("A mapping file is a YAML mapping of tables.")
        # YAML reads UCDP's `1:` as a number; the tables' keys are upstream text.
        tables = {
            table: {str(key): value for key, value in values.items()}
            if isinstance(values, dict)
            else values
            for table, values in document.items()
        }
        return ImportMappingSchema().load(tables)
    except yaml.YAMLError as error:
        raise click.BadParameter(f"not YAML: {error}", param_hint="--mapping") from None
    except ValidationError as error:
        raise click.BadParameter(
            "; ".join(str(p) for p in validation_problems("", error.messages)),
            param_hint="--mapping",
        ) from None


@contextmanager
def _rejects_file(path: Path, wanted: bool) -> Iterator[Callable]:
    """Write each rejected row, with its problems, as one JSON line (only with --skip-invalid)."""
    if not wanted:
        yield lambda *_: None
        return
    with path.open("w", encoding="utf-8", newline="\n") as file:

        def rejected(where: str, row: dict | None, problems: list) -> None:
            line = {
                "where": where,
                "problems": [{"field": p.field, "message": p.message} for p in problems],
                "row": row,
            }
            file.write(json.dumps(line, ensure_ascii=False) + "\n")

        yield rejected


@contextmanager
def _progress_bar(file_format: str) -> Iterator[Callable]:
    """Show rows read on standard error (a bar on a terminal), or records written."""
    if file_format not in UPSTREAM_FORMATS:

        def written(kind: str, done: int, total: int | None) -> None:
            click.echo(f"{kind}s: {done}/{total} written", err=True)

        yield written
        return
    with tqdm(unit=" rows", file=sys.stderr, disable=None, mininterval=0.5) as bar:

        def read(_kind: str, done: int, _total: int | None) -> None:
            bar.update(done - bar.n)

        yield read


@contextmanager
def _opened(path: Path) -> Iterator[TextIO]:
    """Open a file, or standard input for `-`, as UTF-8 text (a leading BOM is skipped)."""
    if str(path) == "-":
        # newline="" keeps line ends inside quoted CSV fields as they were written.
        yield io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", newline="")
        return
    try:
        file = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise click.BadParameter(str(error), param_hint="PATH") from None
    with file:
        yield file


@contextmanager
def _reporting_problems(source: str) -> Iterator[None]:
    """Print each problem of a failed load and exit non-zero, saying nothing was written."""
    try:
        yield
    except InvalidRecords as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.ClickException(
            f"{len(error.problems)} problem(s) in {source}; nothing was written."
        ) from None


def _echo_counts(counts: dict) -> None:
    for kind, count in counts.items():
        click.echo(
            f"{kind}: {count['created']} created, {count['updated']} updated, "
            f"{count['unchanged']} unchanged"
        )


def _redacted(url: str) -> str:
    """Hide a password in a database URL."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url


def main() -> None:
    """Run the `timeline` command."""
    cli.main(prog_name="timeline")


if __name__ == "__main__":
    main()
