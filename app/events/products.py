"""Product events: create, published, unpublished, destroy (the documentation lists no update).

Messages follow the documented example (`Product was created: <a href="...">IPod Nano -
8GB</a>.`) and otherwise the verb table, with the product title linked to its admin page.
Product links use the newer admin URL form the documentation shows
(`https://admin.myshopify.io/store/<shop handle>/admin/products/<id>`, see
`Settings.product_admin_root`); the event time is the product's own timestamp.
"""

from __future__ import annotations

from sqlmodel import Session

from app.clock import utcnow
from app.events.base import Verb, link, plain, record_event, settings_of
from app.models.event import Event, SubjectType
from app.models.product import Product


def _product_admin_url(session: Session, product_id: int | None) -> str:
    return f"{settings_of(session).product_admin_root}/products/{product_id}"


def _record(
    session: Session, product: Product, verb: Verb, message: str, author: str | None
) -> Event:
    assert product.id is not None, "flush the product before recording its events"
    created_at = product.created_at if verb is Verb.CREATE else product.updated_at
    return record_event(
        session,
        subject_type=SubjectType.PRODUCT,
        subject_id=product.id,
        verb=verb,
        message=message,
        arguments=[product.title],
        path=f"/admin/products/{product.id}",
        author=author,
        created_at=created_at or utcnow(),
    )


def _linked(session: Session, product: Product) -> str:
    return link(_product_admin_url(session, product.id), product.title)


def product_created_event(
    session: Session, *, product: Product, author: str | None = None
) -> Event:
    message = f"Product was created: {_linked(session, product)}."
    return _record(session, product, Verb.CREATE, message, author)


def product_published_event(
    session: Session, *, product: Product, author: str | None = None
) -> Event:
    message = f"{_linked(session, product)} was published."
    return _record(session, product, Verb.PUBLISHED, message, author)


def product_unpublished_event(
    session: Session, *, product: Product, author: str | None = None
) -> Event:
    message = f"{_linked(session, product)} was hidden."
    return _record(session, product, Verb.UNPUBLISHED, message, author)


def product_destroyed_event(
    session: Session, *, product: Product, author: str | None = None
) -> Event:
    # The table's `product_name`: plain text, the admin page is gone.
    message = f"{plain(product.title)} was destroyed."
    return _record(session, product, Verb.DESTROY, message, author)
