"""The KPI page: counts, rates and times of a period, with server-drawn SVG bar charts."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from server.services.stats import FalsePositives, KpiQuery, Kpis
from server.web.charts import Bar, bars
from server.web.i18n import Texts
from server.web.render import language_of, percent, render
from server.web.routes_pages import services_of
from server.web.session import ViewerSession

router = APIRouter(prefix="/ui", include_in_schema=False)
PERIODS = (7, 30, 90)


def _counted(counts: Counter[str]) -> list[Bar]:
    return [Bar(key, value, str(value)) for key, value in counts.most_common()]


def _fp(rows: list[FalsePositives]) -> list[Bar]:
    return [
        Bar(row.key, row.rate or 0.0, f"{percent(row.rate)} ({row.false_positives}/{row.decided})")
        for row in sorted(rows, key=lambda r: -(r.rate or 0.0))
    ]


def kpi_charts(kpis: Kpis, texts: Texts) -> dict[str, object]:
    """Return the page's charts (inline SVG) of one period's KPIs."""
    by_class: Counter[str] = Counter()
    by_grid: Counter[str] = Counter()
    by_day: Counter[str] = Counter()
    for row in kpis.per_day:
        by_class[row.label] += row.cases
        by_grid[row.grid_id or texts("outside_grids")] += row.cases
        by_day[row.day] += row.cases
    rates = [
        Bar(texts(key), value or 0.0, percent(value))
        for key, value in (
            ("filing_rate", kpis.filing_rate),
            ("handling_rate", kpis.handling_rate),
            ("closing_rate", kpis.closing_rate),
        )
    ]
    return {
        "rates": bars(rates, scale=1.0, title="rates"),
        "by_class": bars(_counted(by_class), title=texts("by_class")),
        "by_grid": bars(_counted(by_grid), title=texts("by_grid")),
        "by_day": bars(
            [Bar(day, n, str(n)) for day, n in sorted(by_day.items())], title=texts("by_day")
        ),
        "fp_class": bars(_fp(kpis.false_positives_by_class), scale=1.0, title="fp class"),
        "fp_device": bars(_fp(kpis.false_positives_by_device), scale=1.0, title="fp device"),
    }


@router.get("/kpis", response_class=HTMLResponse)
def kpi_page(request: Request, login: ViewerSession, days: int = 30) -> Response:
    """KPIs of the last ``days`` days (7, 30 or 90)."""
    days = days if days in PERIODS else 30
    found = services_of(request)
    now: datetime = found.ctx.clock()
    kpis = found.reads.kpis(KpiQuery(since=now - timedelta(days=days), until=now))
    charts = kpi_charts(kpis, Texts(language_of(request)))
    return render(request, "kpis.html", login, k=kpis, charts=charts, days=days, periods=PERIODS)
