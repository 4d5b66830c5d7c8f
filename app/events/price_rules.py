"""Price rule events: create, update, destroy. `price_rule` is the rule's title linked to its
admin page."""

from __future__ import annotations

from sqlmodel import Session

from app.events.base import Verb, admin_url, link, record_event
from app.models.event import Event, SubjectType
from app.models.price_rule import PriceRule


def _record(
    session: Session, price_rule: PriceRule, verb: Verb, template: str, author: str | None
) -> Event:
    assert price_rule.id is not None, "flush the price rule before recording its events"
    url = link(admin_url(session, f"price_rules/{price_rule.id}"), price_rule.title)
    return record_event(
        session,
        subject_type=SubjectType.PRICE_RULE,
        subject_id=price_rule.id,
        verb=verb,
        message=template.format(price_rule=url),
        arguments=[price_rule.title],
        path=f"/admin/price_rules/{price_rule.id}",
        author=author,
        created_at=price_rule.created_at if verb is Verb.CREATE else price_rule.updated_at,
    )


def price_rule_created_event(
    session: Session, *, price_rule: PriceRule, author: str | None = None
) -> Event:
    return _record(session, price_rule, Verb.CREATE, "New price rule created: {price_rule}", author)


def price_rule_updated_event(
    session: Session, *, price_rule: PriceRule, author: str | None = None
) -> Event:
    return _record(session, price_rule, Verb.UPDATE, "{price_rule} was updated.", author)


def price_rule_destroyed_event(
    session: Session, *, price_rule: PriceRule, author: str | None = None
) -> Event:
    return _record(session, price_rule, Verb.DESTROY, "{price_rule} was destroyed.", author)
