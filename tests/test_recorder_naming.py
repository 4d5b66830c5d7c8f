"""Every recorder in `app.events` is `<subject>_<happening>_event(session, *, ...) -> Event`.

The modules are discovered, not listed, so a new subject module is checked as soon as it lands.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import typing
from types import ModuleType

import app.events
from app.models.event import Event


def _modules() -> list[ModuleType]:
    names = [m.name for m in pkgutil.iter_modules(app.events.__path__) if m.name != "base"]
    return [importlib.import_module(f"app.events.{name}") for name in sorted(names)]


def _public_functions(module: ModuleType) -> list[typing.Any]:
    return [
        obj
        for name, obj in vars(module).items()
        if inspect.isfunction(obj)
        and obj.__module__ == module.__name__
        and not name.startswith("_")
    ]


def test_every_subject_module_is_checked() -> None:
    names = {m.__name__.rsplit(".", 1)[1] for m in _modules()}
    assert {"products", "collections", "blogs", "articles", "comments", "pages"} <= names
    assert "price_rules" in names


def test_recorders_are_named_subject_happening_event() -> None:
    problems = []
    for module in _modules():
        subject = module.__name__.rsplit(".", 1)[1].removesuffix("s")
        functions = _public_functions(module)
        assert functions, f"{module.__name__} defines no recorder"
        for fn in functions:
            if not re.fullmatch(rf"{subject}_[a-z][a-z0-9_]*_event", fn.__name__):
                problems.append(f"{module.__name__}.{fn.__name__}: not {subject}_<happening>_event")
    assert problems == []


def test_recorders_take_session_first_then_keywords_and_return_event() -> None:
    checked = 0
    for module in _modules():
        for fn in _public_functions(module):
            params = list(inspect.signature(fn).parameters.values())
            name = f"{module.__name__}.{fn.__name__}"
            assert params[0].name == "session", name
            assert params[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD, name
            assert len(params) > 1, f"{name} names no resource"
            assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[1:]), name
            assert typing.get_type_hints(fn)["return"] is Event, name
            checked += 1
    assert checked >= 26
