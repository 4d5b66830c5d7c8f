"""The Product table (the attributes Shopify's REST product carries at the top level)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, String, Table, Text
from sqlmodel import Field, SQLModel

from app.models.event import BigIntPK


class Product(SQLModel, table=True):
    __tablename__ = "products"

    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True))
    title: str = Field(sa_column=Column(String(255), nullable=False))
    body_html: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    vendor: str = Field(default="", sa_column=Column(String(255), nullable=False))
    product_type: str = Field(default="", sa_column=Column(String(255), nullable=False))
    handle: str = Field(sa_column=Column(String(255), nullable=False, index=True))
    # active | draft | archived; the product is visible when active with a published_at.
    status: str = Field(default="active", sa_column=Column(String(16), nullable=False))
    published_at: datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    published_scope: str = Field(default="web", sa_column=Column(String(16), nullable=False))
    template_suffix: str | None = Field(default=None, sa_column=Column(String(255)))
    tags: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime, nullable=False))

    @property
    def visible(self) -> bool:
        """Published on the online store: what `published`/`unpublished` events track."""
        return self.status == "active" and self.published_at is not None


products_table: Table = Product.__table__  # type: ignore[attr-defined]
