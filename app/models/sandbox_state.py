"""The sandbox's run-time state (`/_sandbox/config` and `/_sandbox/clock`), one JSON row per name.

It lives in the shop's database so that every server process sharing that database (uvicorn
workers, several servers on one PostgreSQL shop) follows the same clock and configuration.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, String, Table
from sqlmodel import Field, SQLModel


class SandboxState(SQLModel, table=True):
    __tablename__ = "sandbox_state"

    name: str = Field(sa_column=Column(String(32), primary_key=True, autoincrement=False))
    value: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


sandbox_state_table: Table = SandboxState.__table__  # type: ignore[attr-defined]
