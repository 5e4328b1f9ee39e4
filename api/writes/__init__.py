"""Writes: the only code that changes rows, each change in one transaction."""
