"""Full-text search: one small query language, run by SQLite FTS5 or PostgreSQL's tsquery.

`q` holds words (all must match), "quoted phrases", prefixes (`missil*`) and `OR` between two
of those. Text is folded (case, accents) and split into words here, in Python, so that both
databases index and search exactly the same words.
"""

import re
import unicodedata
from typing import NamedTuple

from api.domain.errors import SearchSyntaxError

MAX_QUERY_LENGTH = 500
MAX_TERMS = 32
_TOKENS = re.compile(r'"[^"]*"|\S+')
_WORD = re.compile(r"\w+")


class Term(NamedTuple):
    """Words that must appear in this order, the last one perhaps only as a prefix."""

    words: tuple[str, ...]
    prefix: bool


# A query: every group must match; a group matches when any of its terms does.
SearchQuery = tuple[tuple[Term, ...], ...]


def words_of(text: str) -> list[str]:
    """Fold case and accents, and split into words: the one tokenizer of index and query."""
    if not text.isascii():  # ASCII has no accents to strip: most text skips the slow part
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _WORD.findall(text.casefold())


def _term(piece: str) -> Term:
    phrase = piece.startswith('"')
    core = piece[1:-1] if phrase else piece
    prefix = not phrase and core.endswith("*")
    if prefix:
        core = core[:-1]
    if "*" in core and not phrase:
        raise SearchSyntaxError(f"{piece!r}: '*' may only end a word, as in missil*.")
    words = tuple(words_of(core))
    if not words:
        raise SearchSyntaxError(f"{piece!r} has no word to search for.")
    return Term(words, prefix)


def parse_search(text: str) -> SearchQuery:
    """Parse `q`; malformed syntax raises SearchSyntaxError (a 400 naming `q`)."""
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchSyntaxError(f"Longer than {MAX_QUERY_LENGTH} characters.")
    if text.count('"') % 2:
        raise SearchSyntaxError('A quote (") is not closed.')
    pieces = _TOKENS.findall(text)
    if not pieces:
        raise SearchSyntaxError("Nothing to search for.")
    groups: list[list[Term]] = []
    expecting_alternative = False
    for piece in pieces:
        if piece == "OR":
            if not groups or expecting_alternative:
                raise SearchSyntaxError("OR must stand between two words or phrases.")
            expecting_alternative = True
            continue
        term = _term(piece)
        if expecting_alternative:
            groups[-1].append(term)
            expecting_alternative = False
        else:
            groups.append([term])
    if expecting_alternative:
        raise SearchSyntaxError("OR must stand between two words or phrases.")
    if sum(len(group) for group in groups) > MAX_TERMS:
        raise SearchSyntaxError(f"More than {MAX_TERMS} words or phrases.")
    return tuple(tuple(group) for group in groups)


def fts5_match(query: SearchQuery) -> str:
    """Write the query as an FTS5 MATCH expression (every word quoted, so always valid)."""

    def term(t: Term) -> str:
        return '"' + " ".join(t.words) + '"' + ("*" if t.prefix else "")

    return " AND ".join("(" + " OR ".join(term(t) for t in group) + ")" for group in query)


def tsquery(query: SearchQuery) -> str:
    """Write the query for PostgreSQL's to_tsquery('simple', ...)."""

    def term(t: Term) -> str:
        lexemes = [f"'{word}'" for word in t.words]
        if t.prefix:
            lexemes[-1] += ":*"
        return " <-> ".join(lexemes)

    return " & ".join("(" + " | ".join(term(t) for t in group) + ")" for group in query)
