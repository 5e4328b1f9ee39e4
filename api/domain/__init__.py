"""Pure values: dates, vocabularies, buckets, search syntax, filters. Imports the stdlib only."""
