"""The app's routes, read from the app itself: a route added later is probed too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

from starlette.routing import BaseRoute, Mount, Route, compile_path

PARAMETER = re.compile(r"\{(\w+)(?::(\w+))?\}")


@dataclass(frozen=True)
class AppRoute:
    """One route as the client sees it: the whole path (with the mounts' prefixes), its
    methods (HEAD left out: it answers as GET) and a regex that matches concrete paths."""

    template: str
    methods: tuple[str, ...]
    regex: re.Pattern[str]
    params: tuple[tuple[str, str], ...]
    """(name, convertor) in the order they appear in the path."""

    @property
    def is_api(self) -> bool:
        return self.template.startswith("/api/")

    def path(self, values: dict[str, str]) -> str:
        """The concrete path with ``values`` put in (quoted) for the parameters."""
        return PARAMETER.sub(lambda m: quote(values[m.group(1)], safe=""), self.template)

    def match(self, path: str) -> dict[str, str] | None:
        found = self.regex.match(path)
        return found.groupdict() if found else None

    def __str__(self) -> str:
        return self.template


def app_routes(routes: list[BaseRoute], prefix: str = "") -> Iterator[AppRoute]:
    """Every route, recursing into mounts; a mount of a plain app (static files) is one GET
    route with a path parameter. A kind of route the probe does not know fails it."""
    for route in routes:
        if isinstance(route, Mount):
            if route.routes:
                yield from app_routes(list(route.routes), prefix + route.path)
            else:
                yield _app_route(prefix + route.path + "/{path:path}", {"GET"})
        elif isinstance(route, Route):
            yield _app_route(prefix + route.path, route.methods or {"GET"})
        else:
            raise AssertionError(f"the probe does not know this kind of route: {route!r}")


def _app_route(template: str, methods: set[str]) -> AppRoute:
    regex, _, _ = compile_path(template)
    params = tuple((name, convertor or "str") for name, convertor in PARAMETER.findall(template))
    return AppRoute(template, tuple(sorted(methods - {"HEAD"})), regex, params)


def route_of(routes: list[AppRoute], path: str) -> AppRoute | None:
    """The route that answers ``path``, as the router picks it: the first that matches."""
    return next((route for route in routes if route.match(path) is not None), None)
