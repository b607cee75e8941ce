"""The monthly chart of the reports page, drawn on the server as inline SVG.

Two bars a month: consultations held (solid) and people first served (hatched), so the chart
reads without colour; every bar has a ``<title>`` with its number, the chart a title and a
description, and the page shows the same numbers in a table next to it. Nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from ...domain.counting import Share

HEIGHT = 240
PLOT_TOP, PLOT_BOTTOM = 20, 180
LEFT = 40
MIN_STEP = 18  # px per month


@dataclass(frozen=True)
class ChartText:
    title: str
    description: str
    held: str
    people: str


def _nice_max(value: int) -> int:
    """The axis top: the next of 1, 2, 5 × 10ⁿ at or above ``value``."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


def monthly_svg(months: Sequence[Share], text: ChartText) -> Markup:
    """Bars of consultations held and of people first served per month."""
    top = _nice_max(max([m.consultations_held for m in months] + [m.people for m in months] + [0]))
    step = max(MIN_STEP, 640 // max(len(months), 1))
    width = LEFT + step * len(months) + 10
    scale = (PLOT_BOTTOM - PLOT_TOP) / top
    bar = max(3, (step - 4) // 2)
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="chart-title chart-desc" '
        f'viewBox="0 0 {width} {HEIGHT}" width="{width}" height="{HEIGHT}" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(text.title)}</title>',
        f'<desc id="chart-desc">{escape(text.description)}</desc>',
        '<defs><pattern id="hatch" width="4" height="4" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="4" height="4" fill="#fff"/>'
        '<line x1="0" y1="0" x2="0" y2="4" stroke="#222" stroke-width="2"/></pattern></defs>',
    ]
    for fraction in (0, 0.5, 1) if top % 2 == 0 else (0, 1):
        y = PLOT_BOTTOM - fraction * (PLOT_BOTTOM - PLOT_TOP)
        label = round(top * fraction)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.0f}" x2="{width - 5}" y2="{y:.0f}" stroke="#bbb"/>'
            f'<text x="{LEFT - 4}" y="{y + 4:.0f}" text-anchor="end" font-size="11">{label}</text>'
        )
    label_every = max(1, len(months) // 12)
    for i, m in enumerate(months):
        x = LEFT + i * step + 2
        for j, (value, fill, name) in enumerate(
            ((m.consultations_held, "#222", text.held), (m.people, "url(#hatch)", text.people))
        ):
            h = value * scale
            parts.append(
                f'<rect x="{x + j * bar}" y="{PLOT_BOTTOM - h:.1f}" width="{bar}" '
                f'height="{h:.1f}" fill="{fill}" stroke="#222" stroke-width="1">'
                f"<title>{escape(m.key)}: {escape(name)} {value}</title></rect>"
            )
        if i % label_every == 0:
            parts.append(
                f'<text x="{x}" y="{PLOT_BOTTOM + 14}" font-size="10" '
                f'transform="rotate(45 {x} {PLOT_BOTTOM + 14})">{escape(m.key)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
