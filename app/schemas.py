"""Response shapes, for the OpenAPI document (responses are rendered without per-row models)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from app.rendering import CONTENT_TYPE


class EventOut(BaseModel):
    id: int = Field(examples=[677313116])
    subject_id: int = Field(examples=[921728736])
    created_at: str = Field(examples=["2008-01-10T08:00:00-05:00"])
    subject_type: str = Field(examples=["Product"])
    verb: str = Field(examples=["create"])
    arguments: list[Any] = Field(examples=[["IPod Touch 8GB"]])
    body: str | None = None
    message: str
    author: str = Field(examples=["Shopify"])
    description: str
    path: str | None = Field(examples=["/admin/products/921728736"])


class EventsEnvelope(BaseModel):
    events: list[dict[str, Any]] = Field(description="Events (only the requested `fields`)")


class EventEnvelope(BaseModel):
    event: dict[str, Any]


class CountEnvelope(BaseModel):
    count: int


class ErrorEnvelope(BaseModel):
    errors: str | dict[str, Any] | list[Any]


# The models the document refers to by `$ref` only (ShopApp.openapi adds them to components).
REFERENCED_MODELS: list[type[BaseModel]] = [ErrorEnvelope]


def error_response(description: str) -> dict[str, Any]:
    """A documented error response: `{"errors": ...}`, by reference. Declared with `"model"`,
    FastAPI would build a pydantic TypeAdapter for every error response of every route when
    the routes are declared (~600 of them: ~65 ms of every start) for the document alone."""
    schema = {"$ref": "#/components/schemas/ErrorEnvelope"}
    return {"description": description, "content": {CONTENT_TYPE: {"schema": schema}}}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: error_response("Bad request"),
    401: error_response("Missing or unknown access token"),
    404: error_response("Not Found"),
    413: error_response("Request body over MAX_BODY_BYTES"),
    422: error_response("Invalid attributes"),
    # The sandbox toolkit (off by default): rate limits and injected faults.
    429: error_response("Exceeded the call limit (see Retry-After)"),
    500: error_response("An unexpected error occurred"),
    503: error_response("Service Unavailable"),
}


def _query(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string", **schema}}  # fmt: skip


_FILTER_PARAMETERS = [
    _query("since_id", "Only events after this id.", type="integer", minimum=0),
    _query("created_at_min", "Events created at or after (`2014-04-25T16:15:47-04:00`)."),
    _query("created_at_max", "Events created at or before (`2014-04-25T16:15:47-04:00`)."),
    _query("filter", "Subject types, comma-separated (`Product,Order`)."),
    _query("verb", "One verb (`create`, `destroy`, ...)."),
]
_FIELDS = _query("fields", "Only these fields, comma-separated (`id,verb`).")
# Declared for the document only: the routes read the raw query string (repeats, page_info).
EVENT_LIST_PARAMETERS: dict[str, Any] = {
    "parameters": [
        _query("limit", "Page size (default 50).", type="integer", minimum=1, maximum=250),
        *_FILTER_PARAMETERS,
        _FIELDS,
        _query("page_info", "A cursor from a Link header; only limit and fields may accompany it."),
    ]
}
EVENT_COUNT_PARAMETERS: dict[str, Any] = {"parameters": _FILTER_PARAMETERS}
EVENT_FIELDS_PARAMETERS: dict[str, Any] = {"parameters": [_FIELDS]}
