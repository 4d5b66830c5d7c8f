"""The Article table (an article belongs to a blog)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, String, Table, Text
from sqlmodel import Field, SQLModel

from app.models.event import BigIntPK


class Article(SQLModel, table=True):
    __tablename__ = "articles"

    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True))
    blog_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("blogs.id"), nullable=False, index=True)
    )
    title: str = Field(sa_column=Column(String(255), nullable=False))
    author: str = Field(default="", sa_column=Column(String(255), nullable=False))
    body_html: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    summary_html: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    handle: str = Field(sa_column=Column(String(255), nullable=False))
    tags: str = Field(default="", sa_column=Column(Text, nullable=False))
    template_suffix: str | None = Field(default=None, sa_column=Column(String(255)))
    user_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    published_at: datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime, nullable=False))

    @property
    def visible(self) -> bool:
        return self.published_at is not None


articles_table: Table = Article.__table__  # type: ignore[attr-defined]
