"""Comment endpoints of the sandbox shop: list, count, single, create."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.db import SessionDep
from app.deps import Actor, ApiVersion, QueryDep, SettingsDep
from app.models.comment import Comment
from app.rendering import JSONResponse
from app.routers.body import JsonBody
from app.routers.paging import page_request, paged
from app.schemas import ERROR_RESPONSES, CountEnvelope
from app.services import comments as service
from app.services.comments import render_comment

router = APIRouter(responses=ERROR_RESPONSES, tags=["comments"])


def current_comment(comment_id: str, session: SessionDep) -> Comment:
    return service.get_comment(session, comment_id)


CurrentComment = Annotated[Comment, Depends(current_comment)]


@router.get("/comments.json")
def list_comments(
    request: Request, _v: ApiVersion, query: QueryDep, settings: SettingsDep, session: SessionDep
) -> Response:
    """Retrieve a list of comments (`article_id`, `blog_id`, `limit`, `since_id`)."""
    req = page_request(request, query, settings)
    page = service.list_comments(session, req)
    body = {"comments": [render_comment(c, settings.tz) for c in page.rows]}
    return paged(request, query, settings, req, body, page)


@router.post("/comments.json", status_code=201)
def create_comment(
    _v: ApiVersion, body: JsonBody, actor: Actor, settings: SettingsDep, session: SessionDep
) -> Response:
    """Create a comment on an article (`article_id`, `blog_id` in the body; records `create`)."""
    comment = service.create_comment(session, body, author=actor)
    return JSONResponse({"comment": render_comment(comment, settings.tz)}, status_code=201)


@router.get("/comments/count.json", response_model=CountEnvelope)
def count_comments(_v: ApiVersion, query: QueryDep, session: SessionDep) -> Response:
    """Retrieve a count of comments."""
    return JSONResponse({"count": service.count_comments(session, query.values)})


@router.get("/comments/{comment_id}.json")
def get_comment(_v: ApiVersion, comment: CurrentComment, settings: SettingsDep) -> Response:
    """Retrieve a single comment."""
    return JSONResponse({"comment": render_comment(comment, settings.tz)})
