"""The `timeline` command line: Flask's CLI over the app factory, and this project's commands."""
