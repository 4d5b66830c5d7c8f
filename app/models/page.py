"""The Page table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, String, Table, Text
from sqlmodel import Field, SQLModel

from app.models.event import BigIntPK


class Page(SQLModel, table=True):
    __tablename__ = "pages"

    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True))
    title: str = Field(sa_column=Column(String(255), nullable=False))
    handle: str = Field(sa_column=Column(String(255), nullable=False, index=True))
    body_html: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    author: str | None = Field(default=None, sa_column=Column(String(255)))
    template_suffix: str | None = Field(default=None, sa_column=Column(String(255)))
    published_at: datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime, nullable=False))

    @property
    def visible(self) -> bool:
        return self.published_at is not None


pages_table: Table = Page.__table__  # type: ignore[attr-defined]
