"""Probing the JSON API: for each operation the OpenAPI document names, its query parameters
and each field of its body with hostile values (as the organiser), bodies that are no JSON
object, a body not declared as JSON, hostile tokens; as a plain member, a shorter round."""

from __future__ import annotations

import json
from typing import Any

import httpx

from booking.core.api import openapi_path
from tests.hostile.bodies import RAW_BODIES, JsonFilling, Schemas, dotted, json_values, put
from tests.hostile.forms import query_payloads
from tests.hostile.probe import Actor, Finding, Probe
from tests.hostile.routes import PARAMETER, AppRoute
from tests.hostile.values import NUL, describe

PREFIX = "/api/v1"
STRAY = b'{"x": "a\\u0000b"}'
"""A body for an operation that takes none."""


async def api_route(
    probe: Probe,
    route: AppRoute,
    method: str,
    document: dict[str, Any],
    organiser: Actor,
    member: Actor,
) -> None:
    path_item = document["paths"].get(openapi_path(route.template.removeprefix(PREFIX)), {})
    operation = path_item.get(method.lower())
    if operation is None:
        missing = Finding(route, method, "-", "OpenAPI", 0, "route missing in the document")
        probe.findings.append(missing)
        return
    path = await api_path(probe, route, organiser)
    queries = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    for what, query in query_payloads(queries) if queries else ():
        await send_json(probe, organiser, route, method, f"{path}?{query}", what, None)
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        await send_json(probe, organiser, route, method, path, "no body", None)
        await send_json(probe, member, route, method, path, "no body", None)
        await send_json(probe, organiser, route, method, path, "a stray body", STRAY)
        return
    schemas = Schemas(document, probe.email)
    filling = JsonFilling(schemas, content["schema"], probe.today)
    for leaf, leaf_schema in schemas.leaves(filling.schema):
        for value in json_values(leaf_schema):
            what = f"{dotted(leaf)}={describe(value)}"
            for _ in range(3):  # again while the answer teaches the filling something new
                body = put(filling.body(), leaf, value, filling.full())
                response = await send_json(probe, organiser, route, method, path, what, body)
                answer = response.json() if answers_json(response) else None
                if response.status_code < 400 or not filling.learn(answer, dotted(leaf)):
                    break
    for what, raw in RAW_BODIES:
        await send_json(probe, organiser, route, method, path, what, raw)
    example = filling.body()
    await probe.send(
        organiser, route, method, path, "JSON as text/plain", content=json.dumps(example).encode(),
        headers={**organiser.bearer, "Content-Type": "text/plain"},
    )  # fmt: skip
    strings = filling.full()
    for leaf, leaf_schema in schemas.leaves(filling.schema):
        if leaf_schema.get("type") == "string":
            strings = put(strings, leaf, NUL, strings)
    await send_json(probe, member, route, method, path, "every text with NUL", strings)
    await send_json(probe, member, route, method, path, "as documented", example)


async def api_path(probe: Probe, route: AppRoute, organiser: Actor) -> str:
    """The route's address with real ids where the API names some: each ``{id}`` from the
    first entry of the list at the path before it (``/events`` for ``/events/{id}``), or of
    the same-named list in the thing before that (the ``sessions`` of ``/events/{id}`` for
    ``/events/{id}/sessions/{session_id}``); else 1."""
    values: dict[str, str] = {}
    for name, convertor in route.params:
        values[name] = "1" if convertor == "id" else "abc"
        head = route.template.split("{" + name, 1)[0].rstrip("/")
        listing = PARAMETER.sub(lambda m: values[m.group(1)], head)
        parent, _, key = listing.rpartition("/")
        for address, take in ((listing, "items"), (parent, key)):
            response = await organiser.client.get(address, headers=organiser.bearer)
            probe.requests += 1
            body = response.json() if answers_json(response) else None
            items = body.get(take) if isinstance(body, dict) else body
            first = items[0] if isinstance(items, list) and items else None
            if response.status_code == 200 and isinstance(first, dict) and "id" in first:
                values[name] = str(first["id"])
                break
    return route.path(values)


async def api_headers(probe: Probe, route: AppRoute, actor: Actor) -> None:
    """Tokens no one was given: long, with a control character, not ASCII; another scheme."""
    path = await api_path(probe, route, actor)
    for what, value in [
        ("a long token", "Bearer " + "x" * 10_000),
        ("a token with DEL", "Bearer sid_\x7f"),
        ("a token in Latin-1", b"Bearer sid_\xe4"),
        ("a token in UTF-8", "Bearer sid_ä".encode()),
        ("another scheme", "Basic YWxhZGRpbjpvcGVuc2VzYW1l"),
    ]:
        headers: dict[str, str | bytes] = {"Authorization": value}
        await probe.send(actor, route, route.methods[0], path, what, headers=headers)


async def send_json(
    probe: Probe, actor: Actor, route: AppRoute, method: str, path: str, what: str, body: Any
) -> httpx.Response:
    """``body`` as JSON (bytes as they are, None for none) with the actor's token."""
    content = body if isinstance(body, bytes | None) else json.dumps(body).encode()
    headers = {**actor.bearer, "Content-Type": "application/json"}
    return await probe.send(actor, route, method, path, what, content=content, headers=headers)


def answers_json(response: httpx.Response) -> bool:
    return response.headers.get("content-type", "").startswith("application/json")
