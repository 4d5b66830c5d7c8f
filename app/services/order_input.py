"""Reading order request bodies the way Shopify validates them.

A body is an envelope (`{"order": {...}}`); a missing or non-object envelope is Shopify's
400 `{"errors": {"order": "Required parameter missing or invalid"}}`. Inside it, `Fields`
reads each attribute and collects every problem before anything is written, so one request
gets one 422 `{"errors": {"line_items": ["can't be blank"], ...}}` and changes nothing.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from app.errors import BadRequest, UnprocessableEntity
from app.money import to_amount

BLANK = "can't be blank"
INVALID = "is invalid"
NOT_IN_LIST = "is not included in the list"
_MAX_ID = 2**63 - 1
_MAX_AMOUNT = Decimal(10) ** 12


def envelope(body: Any, key: str) -> dict[str, Any]:
    """The object under `key`, or Shopify's 400 for a missing or malformed envelope."""
    inner = body.get(key) if isinstance(body, dict) else None
    if not isinstance(inner, dict):
        raise BadRequest({key: "Required parameter missing or invalid"})
    return inner


def options(body: Any) -> dict[str, Any]:
    """A body of bare options (`cancel.json`): an object, or nothing at all."""
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise BadRequest("Required parameter missing or invalid")
    return body


def parse_id(raw: str) -> int | None:
    """A path id: digits only, within BIGINT."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19 or int(raw) > _MAX_ID:
        return None
    return int(raw)


class Fields:
    """One object's attributes. Readers return the value or `default` and note problems."""

    def __init__(self, data: dict[str, Any], prefix: str = "") -> None:
        self.data = data
        self.prefix = prefix
        self.errors: dict[str, list[str]] = {}

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(f"{self.prefix}{name}", []).append(message)

    def merge(self, other: Fields) -> None:
        for name, messages in other.errors.items():
            self.errors.setdefault(name, []).extend(messages)

    def check(self) -> None:
        if self.errors:
            raise UnprocessableEntity(self.errors)

    def has(self, name: str) -> bool:
        return name in self.data and self.data[name] is not None

    def text(self, name: str, *, required: bool = False, max_length: int = 255) -> str | None:
        value = self.data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(name, BLANK)
            return None if value is None else ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(name, INVALID)
            return None
        text = str(value).strip()
        if len(text) > max_length:
            self.error(name, f"is too long (maximum is {max_length} characters)")
            return None
        return text

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.data.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        self.error(name, INVALID)
        return default

    def choice(self, name: str, options: tuple[str, ...], default: str | None = None) -> str | None:
        value = self.data.get(name)
        if value is None:
            return default
        if not isinstance(value, str) or value.strip().lower() not in options:
            self.error(name, NOT_IN_LIST)
            return default
        return value.strip().lower()

    def amount(
        self, name: str, *, required: bool = False, positive: bool = False
    ) -> Decimal | None:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self.error(name, BLANK)
            return None
        try:
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise InvalidOperation
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite() or abs(number) >= _MAX_AMOUNT:
            self.error(name, "is not a number")
            return None
        if number < 0 or (positive and number == 0):
            self.error(name, "must be greater than 0" if positive else INVALID)
            return None
        return to_amount(number)

    def integer(self, name: str, *, minimum: int = 0, default: int | None = None) -> int | None:
        value = self.data.get(name)
        if value is None:
            return default
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            value = int(value.strip())
        if type(value) is not int:
            self.error(name, "is not a number")
            return default
        if not minimum <= value <= _MAX_ID:
            self.error(name, f"must be greater than or equal to {minimum}")
            return default
        return value

    def objects(self, name: str, *, required: bool = False) -> list[Fields]:
        """A list of objects, each read with `name[i].` as its error prefix."""
        value = self.data.get(name)
        if value is None or value == []:
            if required:
                self.error(name, BLANK)
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.error(name, INVALID)
            return []
        return [Fields(v, f"{self.prefix}{name}[{i}].") for i, v in enumerate(value)]

    def obj(self, name: str) -> Fields | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error(name, INVALID)
            return None
        return Fields(value, f"{self.prefix}{name}.")
