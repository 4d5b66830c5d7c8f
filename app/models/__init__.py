"""Tables. Importing this package registers every table with SQLModel.metadata."""

from app.models.article import Article
from app.models.blog import Blog
from app.models.collection import Collection, CollectionKind
from app.models.comment import Comment
from app.models.event import Event
from app.models.event_count import event_counts_table
from app.models.order import Fulfillment, LineItem, Order, Refund, Transaction
from app.models.page import Page
from app.models.price_rule import PriceRule
from app.models.product import Product
from app.models.sandbox_state import SandboxState

__all__ = [
    "Article",
    "Blog",
    "Collection",
    "CollectionKind",
    "Comment",
    "Event",
    "Fulfillment",
    "LineItem",
    "Order",
    "Page",
    "PriceRule",
    "Product",
    "Refund",
    "SandboxState",
    "Transaction",
    "event_counts_table",
]
