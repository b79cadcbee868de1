"""An issue's Markdown as HTML and as plain text.

CommonMark with each line break kept as typed (organisers write letters, not Markdown),
without raw HTML (tags typed into the text are shown as text) and without images (remote
images would report who opened a mail); links only to http, https and mailto. The plain
text keeps the structure a mail reader needs: headings underlined, list items with a dash
or their number, links with their address in angle brackets.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_SCHEMES = ("http://", "https://", "mailto:")


def _valid_link(url: str) -> bool:
    return url.strip().lower().startswith(ALLOWED_SCHEMES)


@functools.cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False, "breaks": True})
    md.disable(["image", "html_block", "html_inline"])
    md.validateLink = _valid_link  # type: ignore[method-assign]
    return md


@dataclass(frozen=True)
class Rendered:
    html: str
    text: str


@functools.lru_cache(maxsize=32)
def render_markdown(source: str) -> Rendered:
    """The same text as HTML (a fragment) and as plain text; cached, since every
    subscriber's mail renders the same issue."""
    tokens = _parser().parse(source)
    return Rendered(
        html=_parser().renderer.render(tokens, _parser().options, {}), text=_text(tokens)
    )


def _inline(children: Sequence[Token]) -> str:
    out: list[str] = []
    links: list[tuple[str, int]] = []
    for token in children:
        if token.type in ("text", "code_inline"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif token.type == "link_open":
            links.append((str(token.attrGet("href") or ""), len(out)))
        elif token.type == "link_close" and links:
            href, begin = links.pop()
            label = "".join(out[begin:])
            if href and label not in (href, href.removeprefix("mailto:")):
                out.append(f" <{href}>")
    return "".join(out)


def _text(tokens: Sequence[Token]) -> str:
    """Blocks separated by a blank line; the items of one list on lines of their own."""
    parts: list[str] = []
    kinds: list[str] = []
    counts: list[int] = []
    item = ""
    heading = 0
    for token in tokens:
        kind = token.type
        if kind == "heading_open":
            heading = int(token.tag[1])
        elif kind in ("bullet_list_open", "ordered_list_open"):
            kinds.append(kind)
            counts.append(int(token.attrGet("start") or 1) - 1 if kind[0] == "o" else 0)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            kinds.pop()
            counts.pop()
        elif kind == "list_item_open":
            counts[-1] += 1
            item = f"{counts[-1]}. " if kinds[-1][0] == "o" else "- "
            if counts[-1] > 1 or len(kinds) > 1:
                parts.append("\n")
        elif kind == "inline":
            text = _inline(token.children or [])
            indent = "   " * max(len(kinds) - 1, 0)
            lead = item or ("  " if kinds else "")
            lines = text.split("\n")
            text = "\n".join(
                [indent + lead + lines[0]] + [indent + " " * len(lead) + line for line in lines[1:]]
            )
            if heading:
                text = f"{text}\n{('=' if heading == 1 else '-') * len(text)}"
                heading = 0
            if parts and parts[-1] != "\n":
                parts.append("\n\n")
            item = ""
            parts.append(text)
        elif kind in ("fence", "code_block"):
            if parts:
                parts.append("\n\n")
            lines = token.content.rstrip("\n").split("\n")
            parts.append("\n".join("    " + line for line in lines))
        elif kind == "hr":
            if parts:
                parts.append("\n\n")
            parts.append("-" * 40)
    return "".join(parts).strip() + "\n"
