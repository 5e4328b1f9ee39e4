"""Names and ids: slugs derived from titles, and the key under which an alias is unique."""

import re
import unicodedata

_MAX_SLUG = 120


def slugify(text: str) -> str:
    """Return a lower-case ASCII slug of `text`, cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > _MAX_SLUG:
        slug = slug[:_MAX_SLUG].rsplit("-", 1)[0]
    return slug


def alias_key(name: str) -> str:
    """Return the case-insensitive key under which an alias is unique."""
    return " ".join(name.casefold().split())
