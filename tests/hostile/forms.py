"""Pages as a browser without JavaScript sees them: links and forms; how the probe fills a
form in, and the hostile payloads for forms and query strings."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

from tests.hostile.values import (
    BAD_DATE,
    BAD_TIME,
    FIELD_VALUES,
    HUGE,
    NUL,
    QUERY_VALUES,
    QUERY_VALUES_AT_ONCE,
    SECOND_ROLE_VALUES,
    TEXT_KINDS,
    WORD,
    WORLD,
    describe,
)

Pairs = list[tuple[str, str]]
"""A form's body as sent: names may repeat. A ``csrf_token`` pair stands for the sender's
token."""


@dataclass
class FormField:
    name: str
    kind: str
    """The input's type ("text", "number", "date", …), "textarea", "select" or "button"."""
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False
    min: str | None = None
    required: bool = False
    secondary: bool = False
    """A button that is not the form's main action (its class says ``secondary``)."""


@dataclass
class PageForm:
    method: str
    action: str
    fields: list[FormField] = field(default_factory=list)


class PageParser(HTMLParser):
    """The links and forms of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._text: FormField | None = None
        self._select: FormField | None = None
        self._option: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = PageForm((a.get("method") or "get").upper(), a.get("action", ""))
            self.forms.append(self._form)
        elif self._form is None or tag not in {"input", "textarea", "select", "option", "button"}:
            return
        elif tag == "option" and self._select is not None:
            self._option = [a["value"]] if "value" in a else []
            if "selected" in a:
                self._select.value = a.get("value", "")
                self._select.checked = True
        elif not a.get("name") or "disabled" in a:
            return
        elif tag in {"input", "button"}:
            kind = a.get("type", "text" if tag == "input" else "submit").lower()
            if tag == "button" and kind != "submit":
                return
            self._form.fields.append(
                FormField(
                    a["name"],
                    "button" if kind in {"submit", "image"} else kind,
                    a.get("value", ""),
                    checked="checked" in a,
                    min=a.get("min"),
                    required="required" in a,
                    secondary="secondary" in a.get("class", ""),
                )
            )
        elif tag == "textarea":
            self._text = FormField(a["name"], "textarea", required="required" in a)
            self._form.fields.append(self._text)
        elif tag == "select":
            self._select = FormField(a["name"], "select", required="required" in a)
            self._form.fields.append(self._select)

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.value += data
        if self._option is not None:
            self._option.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._text is not None:
            # A newline right after <textarea> is not part of its value (HTML parsing rules).
            self._text.value = self._text.value.removeprefix("\r").removeprefix("\n")
            self._text = None
        elif tag == "option" and self._select is not None and self._option is not None:
            self._select.options.append((self._option[0] if self._option else "").strip())
            self._option = None
        elif tag == "select" and self._select is not None:
            if not self._select.checked and self._select.options:
                self._select.value = self._select.options[0]
            self._select = None


def local_path(base: str, href: str) -> str | None:
    """``href`` on the page at ``base`` as a local path with its query, or None."""
    url = urlsplit(urljoin("http://testserver" + base, href))
    if url.scheme not in {"http", ""} or url.netloc not in {"testserver", ""}:
        return None
    return url.path + (f"?{url.query}" if url.query else "")


# -- filling a form in ----------------------------------------------------------------------------


def plausible(field_: FormField, today: date, email: str) -> str:
    """What a person would enter in the field; ``email`` is a known member's address."""
    name = field_.name.lower()
    if field_.kind in {"select", "radio"}:
        return next((o for o in field_.options if o), "")
    if field_.kind in {"checkbox", "button"}:
        return field_.value
    if field_.kind == "email" or "mail" in name:
        return email
    if field_.kind == "number":
        return str(max(int(field_.min or 1), 1))
    if field_.kind == "date" or re.search(r"day|datum|tag$", name):
        return (today + timedelta(days=90)).isoformat()
    if field_.kind == "time" or re.search(r"time|starts|ends|beginn|ende|uhr|zeit", name):
        return "12:00" if "end" in name else "09:00"
    if field_.kind == "month":
        return f"{today.year + 1}-03"
    return plausible_text(name, email)


def plausible_text(name: str, email: str) -> str:
    """A text for a field of this name; names and domains new each time (a second venue or
    organisation of the same name would be refused as a duplicate)."""
    serial = next(_SERIALS)
    if "mail" in name:
        return email
    if "url" in name:
        return "https://konferenz.example/raum/probe"
    if "domain" in name:
        return f"probe-{serial}.example"
    if "postal" in name or "plz" in name:
        return "48143"
    if "address" in name or "anschrift" in name:
        return "Probe-Behörde\nProbeweg 1\n48143 Münster"
    return f"Probe {serial}"


_SERIALS = itertools.count(1)
_INVALID = re.compile(r'<(?:input|select|textarea)\b[^>]*\baria-invalid="true"[^>]*>')
_NAME = re.compile(r'\bname="([^"]+)"')


@dataclass
class Filling:
    """How the probe fills a form in so that the page takes it, as far as its fields go: as
    shown (checked boxes only; of the buttons the main one, not a secondary), empty fields
    filled in where they are marked ``required``, are in the first row of a list of rows, or
    are named in ``fill``; fields named in ``clear`` left empty. What pages refuse is learnt
    into ``fill`` and ``clear``, so that the other fields of a payload do not hide the one
    under test behind their own refusal."""

    form: PageForm
    today: date
    email: str
    """A known member's address, for the fields that want one."""
    fill: set[str] = field(default_factory=set)
    clear: set[str] = field(default_factory=set)

    def pairs(self) -> Pairs:
        pairs: Pairs = []
        buttons = [f for f in self.form.fields if f.kind == "button"]
        button = next((b for b in buttons if not b.secondary), buttons[0] if buttons else None)
        for f in self.form.fields:
            wanted = f.checked or f.required or f.name in self.fill
            if f.kind in {"checkbox", "radio"} and not wanted:
                continue
            if f.kind == "button" and f is not button:
                continue
            value = f.value
            if f.name in self.clear and f.kind not in {"hidden", "button"}:
                value = ""
            elif not value and (f.required or "-0-" in f.name or f.name in self.fill):
                value = plausible(f, self.today, self.email)
            pairs.append((f.name, value))
        return pairs

    def learn(self, html: str, tested: str = "") -> bool:
        """Takes in the fields a page refused (``aria-invalid``) but the one under test: an
        empty one is filled in next time, one with an entry left empty. True if that was
        news."""
        refused = {m.group(1) for tag in _INVALID.findall(html) if (m := _NAME.search(tag))}
        news = refused - {tested} - self.fill - self.clear
        entered = dict(self.pairs())
        for name in news:
            (self.clear if entered.get(name) else self.fill).add(name)
        return bool(news)


# -- payloads -------------------------------------------------------------------------------------


def field_payloads(form: PageForm) -> Iterator[tuple[str, str]]:
    """(field name, value): each field with each of the hostile values of its kind."""
    done: set[str] = set()
    for f in form.fields:
        if f.name in done or f.name == "csrf_token" or f.kind == "button":
            continue
        done.add(f.name)
        kind = "text" if f.kind in TEXT_KINDS else f.kind
        yield from ((f.name, value) for value in FIELD_VALUES.get(kind, FIELD_VALUES["choice"]))


def form_payloads(form: PageForm, base: Pairs) -> Iterator[tuple[str, Pairs]]:
    """(what, pairs): the whole form empty, without its fields, with every field repeated,
    with unknown fields, and every field at once with a wrong date, a wrong time and a huge
    number."""
    base = [(k, v) for k, v in base if k != "csrf_token"]
    token = [("csrf_token", "")]
    yield "empty body", []
    yield "only the CSRF token", token
    yield "every field twice", token + base + [(k, WORLD) for k, _ in base]
    names = {f.name for f in form.fields if f.name != "csrf_token" and f.kind != "button"}
    everything = sorted({k for k, _ in base} | names)
    for value in (BAD_DATE, BAD_TIME, str(HUGE)):
        yield f"every field={describe(value)}", token + [(k, value) for k in everything]
    yield "unknown fields", token + base + [("\x00", NUL), ("ü" * 300, WORD)]


def second_role_payloads(base: Pairs) -> Iterator[tuple[str, Pairs]]:
    """A shorter round for a second role: the form empty, without its fields, and every
    field at once with each hostile value."""
    names = sorted({k for k, _ in base if k != "csrf_token"}) or ["id"]
    token = [("csrf_token", "")]
    yield "empty body", []
    yield "only the CSRF token", token
    for value in SECOND_ROLE_VALUES:
        yield f"every field={describe(value)}", token + [(k, value) for k in names]


def form_body(pairs: Pairs) -> bytes:
    return urlencode(pairs).encode()


def query_payloads(names: list[str]) -> Iterator[tuple[str, str]]:
    """(what, query string): each parameter with each of QUERY_VALUES, then all at once with
    each of QUERY_VALUES_AT_ONCE, and each twice."""
    for name in names:
        for value in QUERY_VALUES:
            yield f"{name}={describe(value)}", urlencode([(name, value)])
    for value in QUERY_VALUES_AT_ONCE:
        yield f"every parameter={describe(value)}", urlencode([(n, value) for n in names])
    yield "every parameter twice", urlencode([(n, v) for n in names for v in ("1", WORD)])
