"""JSON bodies from the API's OpenAPI document: a plausible body, how the probe fills it in,
and the hostile values for each field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tests.hostile.forms import plausible_text
from tests.hostile.values import (
    BAD_DATE,
    BAD_TIME,
    CONTROL,
    HUGE,
    LONG,
    NEGATIVE,
    NUL,
    NUL_CODE,
    WORD,
    WORLD,
)

Path = tuple[str | int, ...]
"""Where a field sits in a body: names of objects' fields, indexes of lists' items."""


class Schemas:
    """The request bodies' schemas of the OpenAPI document."""

    def __init__(self, document: dict[str, Any], email: str) -> None:
        self.components: dict[str, Any] = document["components"]["schemas"]
        self.email = email
        """A known member's address, for the fields that want one."""

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The schema behind a ``$ref``, and of ``anyOf [X, null]`` the X."""
        while True:
            if "$ref" in schema:
                schema = self.components[schema["$ref"].rsplit("/", 1)[1]]
            elif "anyOf" in schema or "oneOf" in schema:
                options = schema.get("anyOf", schema.get("oneOf"))
                schema = next((s for s in options if s != {"type": "null"}), {})
            elif len(schema.get("allOf", [])) == 1:
                schema = schema["allOf"][0]
            else:
                return schema

    def example(
        self, schema: dict[str, Any], today: date, keep: set[str] | None = None, at: str = ""
    ) -> Any:
        """A plausible value: of an object its required fields and those whose dotted path is
        in ``keep`` (all of them when ``keep`` is None), numbers at their minimum, times
        ninety days ahead (an end three hours after a start)."""
        schema = self.resolve(schema)
        if "enum" in schema:
            return schema["enum"][0]
        kind = schema.get("type")
        if kind == "object":
            required = set(schema.get("required", []))
            fields = {f"{at}.{name}".lstrip("."): (name, sub) for name, sub in
                      schema.get("properties", {}).items()}  # fmt: skip
            return {
                name: self.example(sub, today, keep, path)
                for path, (name, sub) in fields.items()
                if name in required or keep is None or path in keep
            }
        if kind == "array":
            item = self.example(schema.get("items", {}), today, keep, f"{at}.0")
            return [item] * max(1, schema.get("minItems", 1))
        if kind in {"integer", "number"}:
            return min(max(1, schema.get("minimum", 1)), schema.get("maximum", 1))
        if kind == "boolean":
            return False
        day = today + timedelta(days=90)
        name = at.rsplit(".", 1)[-1]
        hour = "12:00" if "end" in name else "09:00"
        times = {"date-time": f"{day}T{hour}:00+02:00", "date": day.isoformat(), "time": hour}
        return times.get(schema.get("format", "")) or plausible_text(name, self.email)

    def leaves(
        self, schema: dict[str, Any], path: Path = ()
    ) -> Iterator[tuple[Path, dict[str, Any]]]:
        """(path, schema) of every field, into objects and the first item of lists."""
        schema = self.resolve(schema)
        if path:
            yield path, schema
        if schema.get("type") == "object":
            for name, sub in schema.get("properties", {}).items():
                yield from self.leaves(sub, (*path, name))
        elif schema.get("type") == "array" and path:
            yield from self.leaves(schema.get("items", {}), (*path, 0))


def json_values(schema: dict[str, Any]) -> list[Any]:
    """The hostile values for one JSON field, by its schema: the wrong type among them."""
    kind = schema.get("type")
    if kind in {"integer", "number"}:
        return [HUGE, -(2**63) - 1, NEGATIVE, WORD, 1.5]
    if kind == "boolean":
        return [WORD, 2]
    if kind == "array":
        return [NUL, [None], [HUGE]]
    if kind == "object":
        return [NUL, []]
    values: list[Any] = [NUL, NUL_CODE, CONTROL, LONG, WORLD, HUGE]
    if schema.get("format") in {"date-time", "date", "time"}:
        values += [BAD_DATE, BAD_TIME, "2027-02-31T25:61:00+01:00", "10000-01-01T00:00:00+00:00"]
    return values


def dotted(path: Path) -> str:
    """As the API names a field in ``fields``: "sessions.0.ends_at"."""
    return ".".join(map(str, path))


def put(body: Any, path: Path, value: Any, full: Any) -> Any:
    """A copy of ``body`` with the field at ``path`` set to ``value``; what leads there and
    ``body`` lacks is taken from ``full``."""
    copy = json.loads(json.dumps(body))
    target, source = copy, full
    for part in path[:-1]:
        source = source[part]
        if isinstance(target, dict) and part not in target:
            target[part] = json.loads(json.dumps(source))
        target = target[part]
    target[path[-1]] = value
    return copy


@dataclass
class JsonFilling:
    """How the probe fills a JSON body in: the required fields and those in ``keep``. What
    the API refuses (its ``fields``) besides the field under test is learnt: a field sent is
    left out next time, one left out is sent."""

    schemas: Schemas
    schema: dict[str, Any]
    today: date
    keep: set[str] = field(default_factory=set)
    tried: set[str] = field(default_factory=set)

    def body(self) -> Any:
        return self.schemas.example(self.schema, self.today, self.keep)

    def full(self) -> Any:
        """Every field, optional ones too."""
        return self.schemas.example(self.schema, self.today)

    def learn(self, answer: Any, tested: str) -> bool:
        """True if the answer taught something new."""
        fields = answer.get("fields") if isinstance(answer, dict) else None
        news = {
            key for key in (fields or {})
            if key != "body" and not key.startswith(tested) and not tested.startswith(key)
        } - self.tried  # fmt: skip
        self.tried |= news
        self.keep ^= news
        return bool(news)


RAW_BODIES: list[tuple[str, bytes]] = [
    ("invalid JSON", b'{"title": '),
    ("a JSON array", b"[]"),
    ("an array of an object", b"[{}]"),
    ("null", b"null"),
    ("a string", b'"abc"'),
    ("an empty object", b"{}"),
    ("invalid UTF-8", b'{"title": "\xff\xfe"}'),
    ("a raw NUL", b'{"title": "a\x00b"}'),
    ("deep nesting", b"[" * 5000 + b"]" * 5000),
    ("a huge number", b'{"id": ' + b"9" * 5000 + b"}"),
    ("an empty body", b""),
]
"""Bodies that are no JSON object, or no JSON at all."""
