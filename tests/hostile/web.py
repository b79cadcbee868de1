"""Probing the pages: GET routes with hostile query strings, form routes with hostile fields
(as the organiser, the whole round; as a plain member, a shorter one), every route with
hostile path parameters."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

import httpx

from tests.hostile.forms import (
    Filling,
    PageForm,
    PageParser,
    Pairs,
    field_payloads,
    form_body,
    form_payloads,
    local_path,
    query_payloads,
    second_role_payloads,
)
from tests.hostile.probe import Actor, Probe, Site
from tests.hostile.routes import AppRoute, route_of
from tests.hostile.values import PATH_VALUES, describe


async def get_route(
    probe: Probe, route: AppRoute, organiser: Actor, member: Actor, site: Site
) -> None:
    """The query parameters the pages name for this route (and ``cursor``, which lists
    take), each with hostile values; the last few payloads as the member too."""
    path = urlsplit(probe.concrete(route, site)).path
    names = sorted(site.queries.get(route, set()) | {"cursor"})
    payloads = list(query_payloads(names))
    for what, query in payloads:
        await probe.send(organiser, route, "GET", f"{path}?{query}", what)
    for what, query in payloads[-4:]:
        await probe.send(member, route, "GET", f"{path}?{query}", what)


async def post_route(
    probe: Probe,
    route: AppRoute,
    method: str,
    organiser: Actor,
    member: Actor,
    sites: dict[str, Site],
) -> None:
    """As the organiser: each field with each of its hostile values (the others filled in as
    the page takes them), then the whole-form payloads; as the member, the shorter round on
    the member's own form where the member has one."""
    url, form = await form_of(probe, route, organiser, sites["organiser"])
    filling = await taught_filling(probe, organiser, route, method, url, form)
    for name, value in field_payloads(form):
        what = f"{name}={describe(value)}"
        for _ in range(3):  # again while the page teaches the filling something new
            pairs = [(k, v) for k, v in filling.pairs() if k != name] + [(name, value)]
            response = await post(probe, organiser, route, method, url, what, pairs)
            if response.status_code < 400 or not filling.learn(response.text, name):
                break
    for what, pairs in form_payloads(form, filling.pairs()):
        await post(probe, organiser, route, method, url, what, pairs)
    member_url, member_form = (sites["member"].forms.get(route) or [(url, form)])[0]
    filling = await taught_filling(probe, member, route, method, member_url, member_form)
    for what, pairs in second_role_payloads(filling.pairs()):
        await post(probe, member, route, method, member_url, what, pairs)


async def form_of(probe: Probe, route: AppRoute, actor: Actor, site: Site) -> tuple[str, PageForm]:
    """A form posting to ``route``: one the crawl found, else one on the page the route's
    GET serves (or its parent's), else a form without fields."""
    if site.forms.get(route):
        return least_used(probe, route, site.forms[route])
    url = probe.concrete(route, site)
    path = urlsplit(url).path
    for page in (path, path.rsplit("/", 1)[0] or "/"):
        page_route = route_of(probe.routes, page)
        if page_route is None or "GET" not in page_route.methods:
            continue
        parser = PageParser()
        parser.feed((await probe.send(actor, page_route, "GET", page, "form page")).text)
        for form in parser.forms:
            target = local_path(page, form.action or page)
            if form.method == "POST" and target and route.match(urlsplit(target).path):
                return target, form
    return url, PageForm("POST", url)


def least_used(
    probe: Probe, route: AppRoute, instances: list[tuple[str, PageForm]]
) -> tuple[str, PageForm]:
    """Of the forms found for a route, the one whose path names things (events, bookings)
    the fewest routes probed before have named: an event one route called off is then not
    the event the next route changes."""

    def named(instance: tuple[str, PageForm]) -> list[tuple[str, str]]:
        return list((route.match(urlsplit(instance[0]).path) or {}).items())

    chosen = min(instances, key=lambda i: sum(probe.used[item] for item in named(i)))
    probe.used.update(named(chosen))
    return chosen


async def taught_filling(
    probe: Probe, actor: Actor, route: AppRoute, method: str, url: str, form: PageForm
) -> Filling:
    """A filling of the form taught by the page: sent without a CSRF token, so that nothing
    is written, a page that checks its fields first names those it refuses."""
    filling = Filling(form, probe.today, probe.email)
    for _ in range(3):
        pairs = [(k, v) for k, v in filling.pairs() if k != "csrf_token"]
        response = await post(probe, actor, route, method, url, "learning the form", pairs)
        if not filling.learn(response.text):
            break
    return filling


async def post(
    probe: Probe, actor: Actor, route: AppRoute, method: str, url: str, what: str, pairs: Pairs
) -> httpx.Response:
    """Sends a form; a ``csrf_token`` pair gets the actor's token."""
    pairs = [(k, actor.csrf if k == "csrf_token" else v) for k, v in pairs]
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    body = form_body(pairs)
    return await probe.send(actor, route, method, url, what, content=body, headers=headers)


async def path_params(probe: Probe, route: AppRoute, actor: Actor, sites: Iterable[Site]) -> None:
    """Each path parameter with the hostile values of its kind, the others as found; for
    every method of the route (forms with a valid CSRF token, API calls with a token)."""
    found = route.match(urlsplit(probe.concrete(route, *sites)).path) or {}
    for name, convertor in route.params:
        for value in PATH_VALUES.get(convertor, PATH_VALUES["str"]):
            path = route.path({**found, name: value})
            what = f"path {name}={describe(value)}"
            for method in route.methods:
                if route.is_api:
                    headers = {**actor.bearer, "Content-Type": "application/json"}
                    body = None if method == "GET" else b"{}"
                    await probe.send(
                        actor, route, method, path, what, content=body, headers=headers
                    )
                elif method == "GET":
                    await probe.send(actor, route, method, path, what)
                else:
                    await post(probe, actor, route, method, path, what, [("csrf_token", "")])
