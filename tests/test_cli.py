"""The `timeline` command and its settings, as the README documents them."""

import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main as cli_module
from api.cli.main import cli
from api.settings import SETTINGS, load_settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Flask's own commands, documented by Flask.
FLASK_COMMANDS = {"run", "shell", "routes"}


def _our_commands() -> list[str]:
    """Return every command and subcommand this project adds to `timeline`."""
    names = []
    for name, command in sorted(cli.commands.items()):
        if name in FLASK_COMMANDS:
            continue
        subcommands = getattr(command, "commands", {})
        names += [f"{name} {sub}" for sub in sorted(subcommands)] or [name]
    return names


COMMANDS = _our_commands()


def test_the_commands_read_from_the_cli_are_the_projects():
    assert {"init-db", "seed", "serve", "verify", "generate", "token create"} <= set(COMMANDS)


def test_init_db_then_seed_twice_is_idempotent(runner, app):
    result = runner.invoke(cli, ["init-db"])
    assert result.exit_code == 0, result.output
    first = runner.invoke(cli, ["seed"])
    assert first.exit_code == 0, first.output
    assert re.search(r"events: \d+ created, 0 updated, 0 unchanged", first.output)
    second = runner.invoke(cli, ["seed", str(ROOT / "fixtures")])
    assert re.search(r"events: 0 created, 0 updated, \d+ unchanged", second.output)


def test_seed_reports_bad_records_and_exits_non_zero(runner, app, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("actors:\n  - {id: x, name: X, kind: planet}\n")
    result = runner.invoke(cli, ["seed", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: actors[0] (id 'x'): kind: 'planet' is not one of" in result.output
    assert "nothing was written" in result.output


def test_openapi_check_passes_on_the_committed_file_and_fails_on_drift(runner, tmp_path):
    assert (
        runner.invoke(cli, ["openapi", "--check", "-o", str(ROOT / "openapi.yaml")]).exit_code == 0
    )
    stale = tmp_path / "openapi.yaml"
    stale.write_text((ROOT / "openapi.yaml").read_text().replace("listEvents", "oldName"))
    result = runner.invoke(cli, ["openapi", "--check", "-o", str(stale)])
    assert result.exit_code == 1
    assert "out of date" in result.output
    written = runner.invoke(cli, ["openapi", "-o", str(stale)])
    assert written.exit_code == 0
    assert stale.read_text() == (ROOT / "openapi.yaml").read_text()


def test_serve_runs_gunicorn_with_the_config_bind_and_workers(runner, monkeypatch):
    calls = []
    monkeypatch.setattr(cli_module.os, "execv", lambda path, argv: calls.append(argv))
    result = runner.invoke(cli, ["serve", "--bind", "127.0.0.1:9999", "--workers", "3"])
    assert result.exit_code == 0, result.output
    assert calls == [
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "gunicorn.conf.py",
            "--bind",
            "127.0.0.1:9999",
            "--workers",
            "3",
            "api:create_app()",
        ]
    ]


def test_settings_parse_and_name_the_bad_variable():
    assert load_settings({})["DATABASE_URL"] == "sqlite:///instance/timeline.db"
    values = load_settings({"TIMELINE_CORS_ORIGINS": "https://a.example, https://b.example"})
    assert values["CORS_ORIGINS"] == ["https://a.example", "https://b.example"]
    with pytest.raises(ValueError, match="TIMELINE_WORKERS"):
        load_settings({"TIMELINE_WORKERS": "0"})
    with pytest.raises(ValueError, match="TIMELINE_LOG_ACCESS"):
        load_settings({"TIMELINE_LOG_ACCESS": "sometimes"})


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.env_var)
def test_every_setting_is_documented_in_the_readme(setting):
    assert setting.env_var in README


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_exists_and_is_documented(command):
    assert f"timeline {command}" in README
    result = CliRunner().invoke(cli, [*command.split(), "--help"])
    assert result.exit_code == 0, result.output


def test_the_readme_starts_with_the_two_commands():
    first_block = README.split("```")[1]
    assert "make run" in first_block
    assert "make test" in first_block
