"""Run the `timeline` command as `python -m api.cli`."""

from api.cli.main import main

main()
