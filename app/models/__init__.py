"""Tables. Importing this package registers every table with SQLModel.metadata."""

from app.models.event import Event

__all__ = ["Event"]
