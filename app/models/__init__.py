"""Tables. Importing this package registers every table with SQLModel.metadata."""

from app.models.event import Event
from app.models.product import Product

__all__ = ["Event", "Product"]
