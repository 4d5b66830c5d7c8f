"""The collections table: custom and smart collections share it (and so share one id space).

Both are Shopify's `Collection` subject type, so their ids must never collide in the events.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Column, DateTime, String, Table, Text
from sqlmodel import Field, SQLModel

from app.models.event import BigIntPK


class CollectionKind(StrEnum):
    CUSTOM = "custom"
    SMART = "smart"


class Collection(SQLModel, table=True):
    __tablename__ = "collections"

    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True))
    kind: str = Field(sa_column=Column(String(8), nullable=False, index=True))
    title: str = Field(sa_column=Column(String(255), nullable=False))
    handle: str = Field(sa_column=Column(String(255), nullable=False, index=True))
    body_html: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    sort_order: str = Field(default="best-selling", sa_column=Column(String(32), nullable=False))
    template_suffix: str | None = Field(default=None, sa_column=Column(String(255)))
    published_at: datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    published_scope: str = Field(default="web", sa_column=Column(String(16), nullable=False))
    # smart collections only
    disjunctive: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    rules: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime, nullable=False))

    @property
    def visible(self) -> bool:
        return self.published_at is not None


collections_table: Table = Collection.__table__  # type: ignore[attr-defined]
