"""Fields shared by the schemas: safe text, slugs, imprecise dates, repeatable lists."""

import datetime as dt
import math
from typing import Any

import pycountry
from marshmallow import ValidationError, fields, validate

from api.domain.dates import EDTF_PATTERN, PARTIAL_DATE_PATTERN, InvalidDate, parse_event_date
from api.domain.dates import parse_partial_date as _parse_partial_date
from api.domain.vocabulary import Term, slugs

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
TAG_PATTERN = r"^[a-z0-9]+([-_.][a-z0-9]+)*$"


class WholeMatch(validate.Regexp):
    """A pattern the whole value must match.

    marshmallow's Regexp uses `re.match`, and `$` also matches before a trailing newline, so
    `^iran$` would accept "iran" and a newline. The pattern stays `^...$` for the OpenAPI
    document, where JSON Schema reads it as whole-value.
    """

    def __call__(self, value: str) -> str:
        """Return the value if the pattern matches all of it; raise otherwise."""
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


ALPHA3_PATTERN = r"^[A-Z]{3}$"


def _an_iso_country(code: str) -> None:
    if pycountry.countries.get(alpha_3=code) is None:
        raise ValidationError(f"{code!r} is not an ISO 3166-1 alpha-3 country code.")


# Names news and the conflict datasets (ACLED, UCDP) use that ISO 3166 spells otherwise.
COMMON_COUNTRY_NAMES = {
    "russia": "RUS",
    "turkey": "TUR",
    "democratic republic of congo": "COD",
    "democratic republic of the congo": "COD",
    "dr congo": "COD",
    "republic of congo": "COG",
    "congo": "COG",
    "bosnia-herzegovina": "BIH",
    "bosnia and herzegovina": "BIH",
    "ivory coast": "CIV",
    "laos": "LAO",
    "vietnam": "VNM",
    "south korea": "KOR",
    "north korea": "PRK",
    "czech republic": "CZE",
    "macedonia": "MKD",
    "swaziland": "SWZ",
    "eswatini": "SWZ",
    "cape verde": "CPV",
    "east timor": "TLS",
    "burma": "MMR",
    "myanmar (burma)": "MMR",
    "brunei": "BRN",
    "palestine": "PSE",
}


def country_code(text: str) -> str | None:
    """Return the alpha-3 code of a country named by alpha-3, alpha-2 or a name; None if none.

    Names are matched as ISO 3166 (pycountry's data) knows them, case-insensitively: official,
    common and short names ("Iran", "IR", "irn"), and the names in COMMON_COUNTRY_NAMES.
    A name with a parenthesis ("Russia (Soviet Union)", UCDP's) is also tried without it.
    """
    for candidate in (text.strip(), text.split("(", maxsplit=1)[0].strip()):
        try:
            return pycountry.countries.lookup(candidate).alpha_3
        except LookupError:
            pass
        if candidate.casefold() in COMMON_COUNTRY_NAMES:
            return COMMON_COUNTRY_NAMES[candidate.casefold()]
    return None


def country_numeric(code: str) -> str | None:
    """Return the alpha-3 code of an ISO 3166-1 numeric code (ACLED's `iso`); None if none."""
    text = code.strip()
    found = pycountry.countries.get(numeric=text.zfill(3)) if text.isdigit() else None
    return found.alpha_3 if found else None


class Text(fields.String):
    """A string any database can store: no NUL byte, no lone surrogate."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ValidationError("Must not contain a NUL byte.")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError("Must be valid Unicode text (no lone surrogates).") from None
        return text


def Slug(**kwargs: Any) -> Text:  # noqa: N802 - a field factory reads like a field class
    """Return a field for a lower-case, hyphenated, url-safe id."""
    return Text(
        validate=[
            validate.Length(min=1, max=200),
            WholeMatch(
                SLUG_PATTERN,
                error="Must be a lower-case slug of letters, digits and single hyphens.",
            ),
        ],
        **kwargs,
    )


def CountryCode(**kwargs: Any) -> Text:  # noqa: N802
    """Return a field for an ISO 3166-1 alpha-3 country code (upper case) that exists."""
    return Text(
        validate=[
            WholeMatch(ALPHA3_PATTERN, error="Must be an ISO 3166-1 alpha-3 code such as 'IRN'."),
            _an_iso_country,
        ],
        **kwargs,
    )


class CountryName(Text):
    """A country named by alpha-3, alpha-2 or name, read as its alpha-3 code (for filters)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        code = country_code(text)
        if code is None:
            raise ValidationError(f"{text!r} is not a country ISO 3166 knows (IRN, IR, Iran).")
        return code


def Choice(terms: tuple[Term, ...] | tuple[str, ...], **kwargs: Any) -> Text:  # noqa: N802
    """Return a field that takes one value of a controlled vocabulary."""
    choices = slugs(terms) if terms and isinstance(terms[0], Term) else terms
    return Text(
        validate=validate.OneOf(choices, error="{input!r} is not one of: {choices}."),
        **kwargs,
    )


class PartialDate(Text):
    """A `YYYY`, `YYYY-MM` or `YYYY-MM-DD` query bound, loaded as the span it covers."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": f"^{PARTIAL_DATE_PATTERN}$", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return _parse_partial_date(text)
        except InvalidDate as error:
            raise ValidationError(str(error)) from error


class EventDate(Text):
    """A date as written: a partial date or an `A/B` interval of two, checked on load."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": f"^{EDTF_PATTERN}$", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            parse_event_date(text)
        except InvalidDate as error:
            raise ValidationError(str(error)) from error
        return text


class CommaList(fields.List):
    """A repeatable query parameter whose values may also be comma-separated."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValidationError("Must be a string or a list of strings.")
        parts = [part.strip() for item in value for part in item.split(",")]
        if any(not part for part in parts):
            raise ValidationError("Must not contain an empty value.")
        return super()._deserialize(parts, attr, data, **kwargs)


class UtcDateTime(fields.DateTime):
    """A naive UTC timestamp, written as ISO 8601 with a `Z`, to the millisecond."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        return value.isoformat(timespec="milliseconds") + "Z"


class BoundingBox(Text):
    """`west,south,east,north` in WGS 84 degrees, read as a tuple of four floats.

    west may exceed east: the box then crosses the 180th meridian (RFC 7946, 5.2).
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple:
        text = super()._deserialize(value, attr, data, **kwargs)
        parts = text.split(",")
        try:
            west, south, east, north = (float(part) for part in parts)
        except ValueError:
            raise ValidationError(
                "Must be four numbers: west,south,east,north (degrees, WGS 84)."
            ) from None
        if not all(math.isfinite(number) for number in (west, south, east, north)):
            raise ValidationError("Must be finite numbers.")
        if not (-180 <= west <= 180 and -180 <= east <= 180):
            raise ValidationError("west and east must lie between -180 and 180.")
        if not -90 <= south <= north <= 90:
            raise ValidationError("south and north must lie between -90 and 90, south first.")
        return west, south, east, north
