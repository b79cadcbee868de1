"""JSON API under /api/v1 (placeholder until the API module lands)."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
