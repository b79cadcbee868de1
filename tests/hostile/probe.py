"""The probe: who sends (an organiser, a member, each signed in and with an API token), one
request and the checks on its answer, the crawl of the pages, and the report."""

from __future__ import annotations

import logging
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qsl

import httpx
from sqlalchemy import String, select, text, update
from starlette.applications import Starlette

from booking.core.db import utcnow
from booking.core.sessions import COOKIE_NAME, hash_session_id
from booking.members.models import ApiToken, Member, WebSession
from booking.members.tokens import issue_api_tokens
from booking.tables import metadata
from tests.api import ENGLISH, GERMAN
from tests.hostile.forms import PageForm, PageParser, local_path
from tests.hostile.routes import AppRoute, app_routes, route_of
from tests.web import csrf_token, sign_in

VISITS_PER_ROUTE = 3
"""How many concrete pages of one route the crawl reads (the rest of a list is alike)."""
UNCOUNTED_TABLES = {"web_sessions"}
"""Sessions come and go with every visitor; they are not what a request writes."""
MESSAGES = (
    re.compile(r'role="alert"[^>]*>(.*?)</div>', re.S),
    re.compile(r'<p class="error-message"[^>]*>(.*?)</p>', re.S),
    re.compile(r'<div class="notice[^"]*" role="status"[^>]*>(.*?)</div>', re.S),
)
"""Where a page says why it refused: its alert, the message at a field, a notice."""
GERMAN_TEXT = re.compile(
    GERMAN.pattern + r"|\b(einen?|es|gibt|kein(e|en)?|zu|und|für|mit|sie|bereits|nur)\b",
    re.IGNORECASE,
)
"""German words a message has (tests.api.GERMAN and a few more)."""
PROJECT_FRAME = re.compile(r'File "(?!.*site-packages)[^"<]+\.(py|html)", line \d+')
ERROR_LINE = re.compile(r"^[\w.]+(Error|Exception)\b")
ANSWERING = "\n\nWhile answering that:\n"


@dataclass
class Actor:
    role: str
    email: str
    client: httpx.AsyncClient
    member_id: int = 0
    token: str = ""
    csrf: str = ""

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Site:
    """What a crawl found, by route: concrete addresses, query parameters, forms."""

    urls: dict[AppRoute, list[str]] = field(default_factory=dict)
    queries: dict[AppRoute, set[str]] = field(default_factory=dict)
    forms: dict[AppRoute, list[tuple[str, PageForm]]] = field(default_factory=dict)
    values: dict[str, list[str]] = field(default_factory=dict)
    """Path parameter values seen, by the parameter's name."""


@dataclass
class Finding:
    route: AppRoute
    method: str
    role: str
    what: str
    status: int
    problem: str
    detail: str = ""
    """The server's tracebacks, the page or what was written."""

    def __str__(self) -> str:
        head = f"{self.method} {self.route} as {self.role}, {self.what}: {self.status}"
        return f"{head} {self.problem}" + (f"\n{self.detail}" if self.detail else "")

    @property
    def cause(self) -> str:
        """Where the project's code failed first: its last frame of ours and the error."""
        first = self.detail.split(ANSWERING)[0].splitlines()
        ours = [line.strip() for line in first if PROJECT_FRAME.search(line)]
        errors = [line for line in first if ERROR_LINE.match(line)]
        return " → ".join(ours[-1:] + errors[-1:]) or self.detail[:200]


class ServerErrors(logging.Handler):
    """The tracebacks the app logs while answering (its 500 handler logs every one)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> str:
        """What was logged since the last take: the first traceback (the cause), and those of
        errors while answering it (an error page that failed too)."""
        lines = [self.format(r) for r in self.records]
        self.records.clear()
        return ANSWERING.join(lines)


class Probe:
    """Sends the requests and checks every answer: never a 5xx; a refusal is a 4xx with a
    German message; a refused write leaves every table with as many rows as before; on
    SQLite, an accepted write stores no NUL byte (PostgreSQL would have refused it)."""

    def __init__(self, app: Starlette, email: str) -> None:
        self.app = app
        self.routes = list(app_routes(list(app.routes)))
        self.sessions = app.state.app.sessions
        self.errors = ServerErrors()
        self.findings: list[Finding] = []
        self.requests = 0
        self.counts: dict[str, int] | None = None
        self.nul_bytes: dict[str, int] = {}
        self.today = date.today()
        self.clients = 0
        self.used: Counter[tuple[str, str]] = Counter()
        """Path parameter values the forms probed so far have named (web.least_used)."""
        self.seeds: dict[str, list[str]] = {}
        """Path parameter values the probe knows itself: no page links to a member's page
        in the back office, so ``member_id`` is the plain member's."""
        self.email = email
        """A known member's address, for the fields that want one."""

    # -- actors ---------------------------------------------------------------------------------

    def client(self) -> httpx.AsyncClient:
        """A client of its own address (the sign-in limits count per client)."""
        self.clients += 1
        transport = httpx.ASGITransport(
            app=self.app,
            client=(f"10.0.{self.clients // 250}.{self.clients % 250 + 1}", 40000),
            raise_app_exceptions=False,  # a 500 is reported with its traceback instead
        )
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")

    async def sign_in(self, actor: Actor) -> None:
        """Signs in through the real flow (the sign-in limits, which the probe hits, are
        reset first), gives the actor back their role and a fresh API token."""
        await self.app.state.app.limiter.storage.reset()
        await actor.client.aclose()
        actor.client = self.client()
        await sign_in(actor.client, self.app, actor.email)
        async with self.sessions() as session:
            member = await session.scalar(select(Member).where(Member.email == actor.email))
            assert member is not None
            member.role, member.status = actor.role, "active"
            await session.commit()
            actor.member_id = member.id
            if actor.role == "member":
                self.seeds["member_id"] = [str(member.id)]
            [issued] = await issue_api_tokens(session, emails=[actor.email], now=utcnow())
            actor.token = issued.token
        actor.csrf = csrf_token((await actor.client.get("/profil")).text)
        self.counts = None

    async def still_there(self, actor: Actor) -> None:
        """After an accepted write: the actor may have been signed out, erased, stripped of
        their role or their token; then they come back as before."""
        cookie = actor.client.cookies.get(COOKIE_NAME) or ""
        async with self.sessions() as session:
            member = await session.get(Member, actor.member_id)
            signed_in = await session.scalar(
                select(WebSession.member_id).where(WebSession.id_hash == hash_session_id(cookie))
            )
            token = await session.scalar(
                select(ApiToken.id).where(
                    ApiToken.member_id == actor.member_id, ApiToken.revoked_at.is_(None)
                )
            )
            if member is not None and (member.role, member.status) != (actor.role, "active"):
                await session.execute(
                    update(Member)
                    .where(Member.id == member.id)
                    .values(role=actor.role, status="active")
                )
                await session.commit()
        if member is None or signed_in != actor.member_id or token is None:
            await self.sign_in(actor)

    # -- one request and its checks -------------------------------------------------------------

    async def send(
        self,
        actor: Actor,
        route: AppRoute,
        method: str,
        url: str,
        what: str,
        *,
        content: bytes | None = None,
        headers: dict[str, str] | dict[str, str | bytes] | None = None,
    ) -> httpx.Response:
        writes = method != "GET"
        before = (self.counts or await self.table_counts()) if writes else None
        self.counts = None
        self.errors.records.clear()
        response = await actor.client.request(method, url, content=content, headers=headers)
        self.requests += 1
        status = response.status_code

        def finding(problem: str, detail: str = "") -> None:
            self.findings.append(Finding(route, method, actor.role, what, status, problem, detail))

        if status >= 500:
            finding("server error", self.errors.take() or response.text[:500])
        elif status >= 400 and self.refusal_message(route, response) is None:
            finding("refusal without a German message", response.text[:2000])
        if before is not None:
            after = self.counts = await self.table_counts()
            if status >= 400 and after != before:
                changed = {k: (before[k], after[k]) for k in after if after[k] != before[k]}
                finding("refused, but written", f"rows before → after: {changed}")
            elif status < 400:
                if content and (b"%00" in content or b"\\u0000" in content):
                    for column in await self.new_nul_bytes():
                        finding("took a NUL byte", f"stored in {column} (PostgreSQL refuses it)")
                await self.still_there(actor)
        return response

    async def table_counts(self) -> dict[str, int]:
        """The rows of every table, in one statement."""
        tables = [t.name for t in metadata.sorted_tables if t.name not in UNCOUNTED_TABLES]
        columns = ", ".join(f'(SELECT count(*) FROM "{name}") AS "{name}"' for name in tables)
        async with self.sessions() as session:
            row = (await session.execute(text(f"SELECT {columns}"))).one()
        return dict(zip(tables, row, strict=True))

    async def new_nul_bytes(self) -> list[str]:
        """The text columns that hold more NUL bytes than before. SQLite stores what
        PostgreSQL refuses with an error: a NUL byte the app took is a 500 on PostgreSQL, and
        found here on SQLite too."""
        if self.app.state.app.engine.dialect.name != "sqlite":
            return []
        columns = [
            (table.name, column.name)
            for table in metadata.sorted_tables
            for column in table.columns
            if isinstance(column.type, String)
        ]
        counts = ", ".join(
            f'(SELECT count(*) FROM "{t}" WHERE instr("{c}", char(0)))' for t, c in columns
        )
        async with self.sessions() as session:
            row = (await session.execute(text(f"SELECT {counts}"))).one()
        holding = {f"{t}.{c}": n for (t, c), n in zip(columns, row, strict=True)}
        news = [column for column, n in holding.items() if n > self.nul_bytes.get(column, 0)]
        self.nul_bytes = holding
        return news

    def refusal_message(self, route: AppRoute, response: httpx.Response) -> str | None:
        """The German message of a refusal, or None: for the API the ``message`` (and the
        fields' messages) of the JSON error; for pages the alert, the message at a field or
        the notice."""
        kind = response.headers.get("content-type", "")
        if route.is_api:
            body = response.json() if kind.startswith("application/json") else None
            if not isinstance(body, dict) or not isinstance(body.get("error"), str):
                return None
            texts = [body.get("message"), *(body.get("fields") or {}).values()]
        else:
            if not kind.startswith("text/html") or '<html lang="de">' not in response.text:
                return None
            found = next(filter(None, (m.search(response.text) for m in MESSAGES)), None)
            texts = [re.sub(r"<[^>]+>", " ", found.group(1))] if found else [None]
        if all(
            isinstance(t, str) and GERMAN_TEXT.search(t) and not ENGLISH.search(t) for t in texts
        ):
            return " / ".join(map(str, texts))
        return None

    # -- crawling -------------------------------------------------------------------------------

    async def crawl(self, actor: Actor, site: Site, prefer_new: set[str] | None = None) -> None:
        """Reads the pages an actor reaches from every route without parameters, at most
        VISITS_PER_ROUTE of a route; with ``prefer_new``, addresses not in it go first."""
        fresh: deque[str] = deque()
        known: deque[str] = deque(r.template for r in self.routes if not r.params)
        seen: set[str] = set()
        visits: Counter[AppRoute] = Counter()
        while fresh or known:
            url = fresh.popleft() if fresh else known.popleft()
            route = route_of(self.routes, url.partition("?")[0])
            if url in seen or route is None or route.is_api or "GET" not in route.methods:
                continue
            seen.add(url)
            self.note(site, route, url)
            if visits[route] >= VISITS_PER_ROUTE:
                continue
            visits[route] += 1
            response = await self.send(actor, route, "GET", url, "crawl")
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue
            parser = PageParser()
            parser.feed(response.text)
            for target in filter(None, (local_path(url, href) for href in parser.links)):
                is_new = prefer_new is not None and target not in prefer_new
                (fresh if is_new else known).append(target)
            for form in parser.forms:
                target = local_path(url, form.action or url)
                target_route = route_of(self.routes, target.partition("?")[0]) if target else None
                if target is None or target_route is None:
                    continue
                if form.method == "GET":
                    site.queries.setdefault(target_route, set()).update(f.name for f in form.fields)
                else:
                    site.forms.setdefault(target_route, []).append((target, form))
                    self.note(site, target_route, target)

    def note(self, site: Site, route: AppRoute, url: str) -> None:
        path, _, query = url.partition("?")
        urls = site.urls.setdefault(route, [])
        if url not in urls:
            urls.append(url)
        names = {name for name, _ in parse_qsl(query, keep_blank_values=True)}
        site.queries.setdefault(route, set()).update(names)
        for name, value in (route.match(path) or {}).items():
            site.values.setdefault(name, []).append(value)

    def concrete(self, route: AppRoute, *sites: Site) -> str:
        """An address of ``route``: one a crawl saw, else its parameters filled with the
        probe's own values or those seen for parameters of the same name (else 1)."""
        for site in sites:
            if site.urls.get(route):
                return site.urls[route][0]
        values = {}
        for name, convertor in route.params:
            seen = self.seeds.get(name, []) + [v for s in sites for v in s.values.get(name, [])]
            values[name] = seen[0] if seen else ("1" if convertor == "id" else "abc")
        return route.path(values)

    # -- the report -----------------------------------------------------------------------------

    def report(self) -> str:
        """The findings grouped by route, method, problem and cause, with the payloads that
        ran into each; the first finding in full (with the server's traceback)."""
        groups: dict[tuple[str, str, str, str], list[Finding]] = {}
        for f in self.findings:
            groups.setdefault((f.method, str(f.route), f.problem, f.cause), []).append(f)
        parts = []
        for (method, route, problem, cause), group in groups.items():
            payloads = "; ".join(f"{f.role}: {f.what}" for f in group[:6])
            more = f" and {len(group) - 6} more" if len(group) > 6 else ""
            parts.append(
                f"{method} {route}: {group[0].status} {problem}\n  cause: {cause}\n"
                f"  payloads: {payloads}{more}"
            )
        return (
            f"{len(groups)} findings\n\n"
            + "\n\n".join(parts)
            + f"\n\nThe first in full:\n{self.findings[0]}"
        )
