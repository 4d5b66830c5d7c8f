"""The Blog table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, String, Table, Text
from sqlmodel import Field, SQLModel

from app.models.event import BigIntPK


class Blog(SQLModel, table=True):
    __tablename__ = "blogs"

    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True))
    title: str = Field(sa_column=Column(String(255), nullable=False))
    handle: str = Field(sa_column=Column(String(255), nullable=False, index=True))
    commentable: str = Field(default="no", sa_column=Column(String(16), nullable=False))
    feedburner: str | None = Field(default=None, sa_column=Column(String(255)))
    feedburner_location: str | None = Field(default=None, sa_column=Column(String(255)))
    template_suffix: str | None = Field(default=None, sa_column=Column(String(255)))
    tags: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime, nullable=False))


blogs_table: Table = Blog.__table__  # type: ignore[attr-defined]
