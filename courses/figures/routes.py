"""The year in figures for the organisers: the page (charts with their tables, printable)
and the same figures as an XLSX workbook."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from booking.core.errors import ValidationFailed
from booking.core.formatting import BERLIN
from booking.core.web import db, form_errors, now, render, require_member, workbook_answer
from booking.members.models import Member
from courses.figures import charts, exports, messages, queries
from courses.figures.forms import YearForm


async def _figures(request: Request, year: int, actor: Member) -> queries.YearFigures:
    """The figures of ``year`` for the page and its XLSX alike (the API reads them in
    courses.figures.api)."""
    return await queries.year_figures(db(request), year=year, actor=actor)


async def figures_page(request: Request) -> Response:
    actor = await require_member(request)
    this_year = now(request).astimezone(BERLIN).year
    form = YearForm(formdata=request.query_params)
    valid = form.validate()
    year = form.chosen(this_year) if valid else this_year
    years = await queries.year_choices(db(request), actor, now(request), year)
    form.jahr.choices = [(str(y), str(y)) for y in years]
    if not valid:
        form.jahr.data = str(this_year)  # what was sent is no year the list could show
        return await render(
            request,
            "courses/figures.html",
            {"form": form, "errors": form_errors(form), "figures": None, "year": None},
            status_code=422,
        )
    form.jahr.data = str(year)
    figures = await _figures(request, year, actor)
    return await render(
        request,
        "courses/figures.html",
        {
            "form": form,
            "errors": [],
            "year": year,
            "figures": figures,
            "charts": charts.year_charts(figures),
            "percent": charts.percent_de,
            "format_label": exports.format_label,
            "sector_label": exports.sector_label,
            "region_label": exports.region_label,
        },
    )


async def figures_xlsx(request: Request) -> Response:
    actor = await require_member(request)
    queries.require_organiser(actor)
    form = YearForm(formdata=request.query_params)
    if not form.validate():
        raise ValidationFailed(form.jahr.errors[0])
    year = form.chosen(now(request).astimezone(BERLIN).year)
    figures = await _figures(request, year, actor)
    return await workbook_answer(
        messages.WORKBOOK_TITLE.format(year=year),
        exports.figures_tables(figures),
        messages.FILENAME.format(year=year),
    )


routes = [
    Route("/verwaltung/zahlen", figures_page),
    Route("/verwaltung/zahlen.xlsx", figures_xlsx),
]
