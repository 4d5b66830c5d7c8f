"""Blog and article endpoints of the sandbox shop (articles live under their blog)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.db import SessionDep
from app.deps import Actor, ApiVersion, QueryDep, SettingsDep
from app.models.article import Article
from app.models.blog import Blog
from app.rendering import JSONResponse
from app.routers.body import JsonBody
from app.routers.paging import page_request, paged
from app.schemas import ERROR_RESPONSES, CountEnvelope
from app.services import articles, blogs
from app.services.articles import render_article
from app.services.blogs import render_blog

router = APIRouter(responses=ERROR_RESPONSES, tags=["blogs"])


def current_blog(blog_id: str, session: SessionDep) -> Blog:
    return blogs.get_blog(session, blog_id)


CurrentBlog = Annotated[Blog, Depends(current_blog)]


def current_article(blog: CurrentBlog, article_id: str, session: SessionDep) -> Article:
    return articles.get_article(session, blog, article_id)


CurrentArticle = Annotated[Article, Depends(current_article)]


# ---- blogs -----------------------------------------------------------------------------


@router.get("/blogs.json")
def list_blogs(
    request: Request, _v: ApiVersion, query: QueryDep, settings: SettingsDep, session: SessionDep
) -> Response:
    """Retrieve a list of blogs."""
    req = page_request(request, query, settings)
    page = blogs.list_blogs(session, req)
    body = {"blogs": [render_blog(b, settings.tz) for b in page.rows]}
    return paged(request, query, settings, req, body, page)


@router.post("/blogs.json", status_code=201)
def create_blog(
    _v: ApiVersion, body: JsonBody, actor: Actor, settings: SettingsDep, session: SessionDep
) -> Response:
    """Create a blog (records `create`)."""
    blog = blogs.create_blog(session, body, author=actor)
    return JSONResponse({"blog": render_blog(blog, settings.tz)}, status_code=201)


@router.get("/blogs/count.json", response_model=CountEnvelope)
def count_blogs(_v: ApiVersion, query: QueryDep, session: SessionDep) -> Response:
    """Retrieve a count of blogs."""
    return JSONResponse({"count": blogs.count_blogs(session, query.values)})


@router.get("/blogs/{blog_id}.json")
def get_blog(_v: ApiVersion, blog: CurrentBlog, settings: SettingsDep) -> Response:
    """Retrieve a single blog."""
    return JSONResponse({"blog": render_blog(blog, settings.tz)})


@router.put("/blogs/{blog_id}.json")
def update_blog(
    _v: ApiVersion,
    blog: CurrentBlog,
    body: JsonBody,
    actor: Actor,
    settings: SettingsDep,
    session: SessionDep,
) -> Response:
    """Update a blog (records `update`)."""
    blog = blogs.update_blog(session, blog, body, author=actor)
    return JSONResponse({"blog": render_blog(blog, settings.tz)})


@router.delete("/blogs/{blog_id}.json")
def delete_blog(_v: ApiVersion, blog: CurrentBlog, actor: Actor, session: SessionDep) -> Response:
    """Delete a blog and its articles (records the blog's `destroy`)."""
    blogs.destroy_blog(session, blog, author=actor)
    return JSONResponse({})


# ---- articles --------------------------------------------------------------------------


@router.get("/blogs/{blog_id}/articles.json")
def list_articles(
    request: Request,
    _v: ApiVersion,
    blog: CurrentBlog,
    query: QueryDep,
    settings: SettingsDep,
    session: SessionDep,
) -> Response:
    """Retrieve a list of a blog's articles."""
    req = page_request(request, query, settings)
    page = articles.list_articles(session, blog, req)
    body = {"articles": [render_article(a, settings.tz) for a in page.rows]}
    return paged(request, query, settings, req, body, page)


@router.post("/blogs/{blog_id}/articles.json", status_code=201)
def create_article(
    _v: ApiVersion,
    blog: CurrentBlog,
    body: JsonBody,
    actor: Actor,
    settings: SettingsDep,
    session: SessionDep,
) -> Response:
    """Create an article in a blog (records `create`)."""
    article = articles.create_article(session, blog, body, author=actor)
    return JSONResponse({"article": render_article(article, settings.tz)}, status_code=201)


@router.get("/blogs/{blog_id}/articles/count.json", response_model=CountEnvelope)
def count_articles(
    _v: ApiVersion, blog: CurrentBlog, query: QueryDep, session: SessionDep
) -> Response:
    """Retrieve a count of a blog's articles."""
    return JSONResponse({"count": articles.count_articles(session, blog, query.values)})


@router.get("/blogs/{blog_id}/articles/{article_id}.json")
def get_article(_v: ApiVersion, article: CurrentArticle, settings: SettingsDep) -> Response:
    """Retrieve a single article."""
    return JSONResponse({"article": render_article(article, settings.tz)})


@router.put("/blogs/{blog_id}/articles/{article_id}.json")
def update_article(
    _v: ApiVersion,
    article: CurrentArticle,
    body: JsonBody,
    actor: Actor,
    settings: SettingsDep,
    session: SessionDep,
) -> Response:
    """Update an article (records `update`, `published` or `unpublished`)."""
    article = articles.update_article(session, article, body, author=actor)
    return JSONResponse({"article": render_article(article, settings.tz)})


@router.delete("/blogs/{blog_id}/articles/{article_id}.json")
def delete_article(
    _v: ApiVersion, article: CurrentArticle, actor: Actor, session: SessionDep
) -> Response:
    """Delete an article and its comments (records `destroy`)."""
    articles.destroy_article(session, article, author=actor)
    return JSONResponse({})
