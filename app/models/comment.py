"""The Comment table (a comment belongs to an article of a blog)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, String, Table, Text
from sqlmodel import Field, SQLModel

from app.models.event import BigIntPK


class Comment(SQLModel, table=True):
    __tablename__ = "comments"

    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True))
    article_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("articles.id"), nullable=False, index=True)
    )
    blog_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    body: str = Field(sa_column=Column(Text, nullable=False))
    author: str = Field(sa_column=Column(String(255), nullable=False))
    email: str = Field(sa_column=Column(String(255), nullable=False))
    ip: str | None = Field(default=None, sa_column=Column(String(64)))
    user_agent: str | None = Field(default=None, sa_column=Column(String(512)))
    # unapproved | published | spam | removed
    status: str = Field(default="unapproved", sa_column=Column(String(16), nullable=False))
    published_at: datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime, nullable=False))


comments_table: Table = Comment.__table__  # type: ignore[attr-defined]
