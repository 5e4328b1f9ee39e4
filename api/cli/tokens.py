"""`timeline token`: create, list and revoke API tokens."""

import click
from flask.cli import AppGroup

from api.storage.connection import database, utc_now
from api.storage.models import ApiToken
from api.writes.tokens import SCOPES, create_token, revoke_token

token_cli = AppGroup("token", help="Create, list and revoke API tokens.")


@token_cli.command("create")
@click.argument("name")
@click.option(
    "--scope",
    type=click.Choice(SCOPES),
    default="write",
    show_default=True,
    help="read: reads only; write: also creates, edits and deletes events; admin: everything.",
)
def create_command(name: str, scope: str) -> None:
    """Create a token NAME and print its secret, once, alone on the last line."""
    with database.connection_context(), database.atomic():
        if ApiToken.select().where(ApiToken.name == name).exists():
            raise click.ClickException(f"a token named {name!r} exists already")
        secret = create_token(name, scope, utc_now())
    click.echo(f"Created token {name!r} with scope {scope!r}. Its secret is shown only now:")
    click.echo(secret)


@token_cli.command("list")
def list_command() -> None:
    """List tokens: name, scope, when created, whether revoked (never their secrets)."""
    with database.connection_context():
        tokens = list(ApiToken.select().order_by(ApiToken.name))
    for token in tokens:
        state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "active"
        click.echo(f"{token.name}\t{token.scope}\t{token.created_at:%Y-%m-%d %H:%M}\t{state}")


@token_cli.command("revoke")
@click.argument("name")
def revoke_command(name: str) -> None:
    """Revoke the token NAME: it stops working at once."""
    with database.connection_context(), database.atomic():
        revoked = revoke_token(name, utc_now())
    if not revoked:
        raise click.ClickException(f"no active token named {name!r}")
    click.echo(f"Revoked token {name!r}.")
