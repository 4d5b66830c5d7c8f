"""Response shapes, for the OpenAPI document (responses are rendered without per-row models)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


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


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorEnvelope, "description": "Bad request"},
    401: {"model": ErrorEnvelope, "description": "Missing or unknown access token"},
    404: {"model": ErrorEnvelope, "description": "Not Found"},
}
