"""The tuning plot as inline SVG: case volume (bars) and precision (line) by threshold."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from server.domain.tuning_math import AtThreshold

WIDTH, HEIGHT = 620, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 44, 14, 30


def _x(threshold: float) -> float:
    return LEFT + threshold * (WIDTH - LEFT - RIGHT)


def _y(fraction: float) -> float:
    return TOP + (1.0 - fraction) * (HEIGHT - TOP - BOTTOM)


def tuning_plot(
    rows: Sequence[AtThreshold],
    current: float | None,
    suggested: float | None,
    title: str = "",
) -> Markup:
    """Return the plot of ``rows``, with the current (dashed) and suggested (solid) thresholds.

    Bars are the cases each threshold keeps (right axis, scaled to the most); the line is
    the precision (left axis, 0–100 %); thresholds without a case have no point.
    """
    if not rows:
        return Markup("")
    most = max(row.volume for row in rows) or 1
    bar = max(3.0, (WIDTH - LEFT - RIGHT) / (len(rows) * 2.2))
    parts = [
        f'<svg class="chart tuning-plot" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" style="max-width:760px" preserveAspectRatio="xMinYMin meet" '
        f'aria-label="{escape(title)}">'
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = _y(tick)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" class="pm-grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="chart-label">'
            f"{100 * tick:.0f}%</text>"
            f'<text x="{WIDTH - RIGHT + 6}" y="{y + 4:.1f}" class="chart-label">'
            f"{most * tick:.0f}</text>"
        )
    for tick in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0):
        parts.append(
            f'<text x="{_x(tick):.1f}" y="{HEIGHT - 10}" text-anchor="middle" '
            f'class="chart-label">{tick:.1f}</text>'
        )
    for row in rows:
        top = _y(row.volume / most)
        parts.append(
            f'<rect x="{_x(row.threshold) - bar / 2:.1f}" y="{top:.1f}" width="{bar:.1f}" '
            f'height="{_y(0.0) - top:.1f}" class="chart-bar volume-bar">'
            f"<title>{row.threshold:g}: {row.volume}</title></rect>"
        )
    points = [
        f"{_x(row.threshold):.1f},{_y(row.precision):.1f}"
        for row in rows
        if row.precision is not None
    ]
    if points:
        parts.append(
            f'<polyline points="{" ".join(points)}" fill="none" stroke="#c0392b" '
            f'stroke-width="2.5" class="precision-line"/>'
        )
    for value, dash in ((current, ' stroke-dasharray="5 4"'), (suggested, "")):
        if value is not None:
            x = _x(value)
            parts.append(
                f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{_y(0.0):.1f}" '
                f'stroke="#1f6feb" stroke-width="2"{dash}/>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
