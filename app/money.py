"""Money as Shopify shows it.

Amounts are stored and rendered as decimal strings with two places (`"210.94"`). In event
messages a `money_amount` reads `$210.94 USD`: the currency's symbol (when it has a common
one), the amount with two decimals and thousands separators, then the ISO code.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

_SYMBOLS = {
    "USD": "$",
    "CAD": "$",
    "AUD": "$",
    "NZD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "CNY": "¥",
    "INR": "₹",
}


def to_amount(value: Decimal | str) -> Decimal:
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)  # positional: no keyword parsing


def amount_str(value: Decimal | str) -> str:
    """`Decimal("5")` -> `"5.00"`: the stored and rendered form."""
    return str(to_amount(value))


def money_amount(value: Decimal | str, currency: str) -> str:
    """`money_amount("210.94", "USD")` -> `"$210.94 USD"`."""
    return f"{_SYMBOLS.get(currency, '')}{to_amount(value):,.2f} {currency}"
