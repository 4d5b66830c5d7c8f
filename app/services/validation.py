"""Reading a sandbox request body the way Shopify validates it.

A body is an envelope, `{"product": {...}}`; a missing or non-object envelope is Shopify's
400 `{"errors": {"product": "Required parameter missing or invalid"}}`. Inside it, `Form`
reads each attribute and collects every problem before anything is written, so one request
gets one 422 `{"errors": {"title": ["can't be blank"], ...}}` and leaves the database untouched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from app.errors import BadRequest, UnprocessableEntity
from app.timeparse import parse_timestamp

BLANK = "can't be blank"
INVALID = "is invalid"
NOT_IN_LIST = "is not included in the list"
_MAX_ID = 2**63 - 1
_UNSET: Any = object()


def envelope(body: Any, key: str) -> dict[str, Any]:
    """The object under `key`, or Shopify's 400 for a missing or malformed envelope."""
    inner = body.get(key) if isinstance(body, dict) else None
    if not isinstance(inner, dict):
        raise BadRequest({key: "Required parameter missing or invalid"})
    return inner


def handleize(text: str) -> str:
    """Shopify's handle: lower-case ASCII words joined by `-`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:255]


def unique_handle(wanted: str, taken: Iterable[str]) -> str:
    """`wanted`, or `wanted-1`, `wanted-2`... when another resource already uses it."""
    used = set(taken)
    if wanted not in used:
        return wanted
    n = 1
    while f"{wanted}-{n}" in used:
        n += 1
    return f"{wanted}-{n}"


class Form:
    """One envelope's attributes; each reader returns the value (or `missing`) and notes errors."""

    missing: Any = _UNSET

    def __init__(self, data: dict[str, Any], tz: ZoneInfo) -> None:
        self.data = data
        self.tz = tz
        self.errors: dict[str, list[str]] = {}

    def has(self, name: str) -> bool:
        return name in self.data

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def check(self) -> None:
        if self.errors:
            raise UnprocessableEntity(self.errors)

    def text(self, name: str, *, required: bool = False, max_length: int | None = 255) -> Any:
        """A string attribute; `None` for JSON null. Required means present and non-blank."""
        if name not in self.data:
            if required:
                self.error(name, BLANK)
            return self.missing
        value = self.data[name]
        if value is None:
            if required:
                self.error(name, BLANK)
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(name, INVALID)
            return self.missing
        text = str(value)
        if required and not text.strip():
            self.error(name, BLANK)
            return self.missing
        if max_length is not None and len(text) > max_length:
            self.error(name, f"is too long (maximum is {max_length} characters)")
            return self.missing
        return text

    def tags(self, name: str = "tags") -> Any:
        """Shopify takes tags as a comma-separated string or a list; stores `a, b`."""
        if name not in self.data:
            return self.missing
        value = self.data[name]
        if value is None:
            return ""
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            parts = value
        elif isinstance(value, str):
            parts = value.split(",")
        else:
            self.error(name, INVALID)
            return self.missing
        names = dict.fromkeys(p.strip()[:255] for p in parts if p.strip())
        return ", ".join(names)

    def boolean(self, name: str) -> Any:
        if name not in self.data:
            return self.missing
        value = self.data[name]
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        self.error(name, INVALID)
        return self.missing

    def timestamp(self, name: str, *, required: bool = False) -> Any:
        """An ISO 8601 time (read in the shop's zone when it has no offset); null allowed."""
        if name not in self.data:
            if required:
                self.error(name, BLANK)
            return self.missing
        value = self.data[name]
        if value is None or value == "":
            if required:
                self.error(name, BLANK)
            return None
        parsed = parse_timestamp(value, self.tz) if isinstance(value, str) else None
        if parsed is None:
            self.error(name, INVALID)
            return self.missing
        return parsed

    def choice(self, name: str, options: Iterable[str], *, required: bool = False) -> Any:
        allowed = tuple(options)
        if name not in self.data or self.data[name] is None:
            if required:
                self.error(name, BLANK)
            return self.missing
        value = self.data[name]
        if not isinstance(value, str) or value.strip().lower() not in allowed:
            self.error(name, NOT_IN_LIST)
            return self.missing
        return value.strip().lower()

    def decimal(self, name: str, *, required: bool = False) -> Any:
        if name not in self.data or self.data[name] is None or self.data[name] == "":
            if required:
                self.error(name, BLANK)
            return self.missing
        value = self.data[name]
        try:
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise InvalidOperation
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite() or abs(number) >= Decimal(10) ** 12:
            self.error(name, "is not a number")
            return self.missing
        return number

    def integer(self, name: str, *, minimum: int = 0) -> Any:
        """An optional whole number (null allowed)."""
        if name not in self.data:
            return self.missing
        value = self.data[name]
        if value is None:
            return None
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            value = int(value.strip())
        if type(value) is not int or not minimum <= value <= _MAX_ID:
            self.error(name, "is not a number" if type(value) is not int else INVALID)
            return self.missing
        return value

    def ids(self, name: str) -> Any:
        """A list of resource ids (e.g. `entitled_product_ids`)."""
        if name not in self.data:
            return self.missing
        value = self.data[name]
        if value is None:
            return []
        if not isinstance(value, list) or not all(
            type(v) is int and 0 < v <= _MAX_ID for v in value
        ):
            self.error(name, INVALID)
            return self.missing
        return list(dict.fromkeys(value))


def given(value: Any) -> bool:
    """Whether a `Form` reader found the attribute (null counts as given)."""
    return value is not _UNSET
