"""The PriceRule table (the discount logic behind discount codes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Column, DateTime, String, Table
from sqlmodel import Field, SQLModel

from app.models.event import BigIntPK


class PriceRule(SQLModel, table=True):
    __tablename__ = "price_rules"

    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True))
    title: str = Field(sa_column=Column(String(255), nullable=False))
    value_type: str = Field(sa_column=Column(String(16), nullable=False))  # fixed_amount|percentage
    value: str = Field(sa_column=Column(String(32), nullable=False))  # "-10.0"
    customer_selection: str = Field(sa_column=Column(String(16), nullable=False))
    target_type: str = Field(sa_column=Column(String(16), nullable=False))
    target_selection: str = Field(sa_column=Column(String(16), nullable=False))
    allocation_method: str = Field(sa_column=Column(String(16), nullable=False))
    allocation_limit: int | None = Field(default=None, sa_column=Column(BigInteger))
    once_per_customer: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    usage_limit: int | None = Field(default=None, sa_column=Column(BigInteger))
    starts_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    ends_at: datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    entitled_product_ids: list[int] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    entitled_collection_ids: list[int] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime, nullable=False))


price_rules_table: Table = PriceRule.__table__  # type: ignore[attr-defined]
