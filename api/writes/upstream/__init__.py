"""Readers of upstream datasets (ACLED, UCDP GED, FollowTheMoney): rows into our records.

Each reader turns one upstream row into the events it stands for, and names the actors and
sources they refer to through `UpstreamRecords`, which creates each once per distinct name.
`api.writes.imports` validates and writes what they read, a chunk at a time.
"""
