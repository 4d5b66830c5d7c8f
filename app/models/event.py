"""The Event table.

`created_at` is stored as naive UTC, truncated to whole seconds (Shopify's precision), and
rendered in the shop's time zone. There is deliberately no foreign key to the subject: a
`destroy` event outlives what it describes.

`rendered` is not an API field: it holds the event's JSON as the list shows it, made once when
the event is written (app/services/rendered.py); NULL where it was not made. Nor is
`rendered_created_at`: its `created_at` as rendered there, which a `fields` page reads instead
of rendering it again.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, Integer, String, Table, Text
from sqlmodel import Field, SQLModel

# SQLite only aliases rowid (and so auto-assigns ids) for a column typed exactly INTEGER.
BigIntPK = BigInteger().with_variant(Integer, "sqlite")


class SubjectType(StrEnum):
    ARTICLE = "Article"
    BLOG = "Blog"
    COLLECTION = "Collection"
    COMMENT = "Comment"
    ORDER = "Order"
    PAGE = "Page"
    PRICE_RULE = "PriceRule"
    PRODUCT = "Product"
    API_PERMISSION = "ApiPermission"


class Event(SQLModel, table=True):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_subject_type_id", "subject_type", "id"),
        Index("ix_events_verb_id", "verb", "id"),
        Index("ix_events_subject_type_verb_id", "subject_type", "verb", "id"),
        Index("ix_events_subject", "subject_type", "subject_id", "id"),
        Index("ix_events_created_at_id", "created_at", "id"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True))
    subject_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    subject_type: str = Field(sa_column=Column(String(32), nullable=False))
    verb: str = Field(sa_column=Column(String(64), nullable=False))
    arguments: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    message: str = Field(default="", sa_column=Column(Text, nullable=False))
    author: str = Field(default="Shopify", sa_column=Column(String(255), nullable=False))
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    path: str | None = Field(default=None, sa_column=Column(String(512), nullable=True))
    rendered: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    rendered_created_at: str | None = Field(
        default=None, sa_column=Column(String(64), nullable=True)
    )


events_table: Table = Event.__table__  # type: ignore[attr-defined]
