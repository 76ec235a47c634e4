"""Grouped bar charts as inline SVG, drawn on the server (no JavaScript, no CDN)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    colour: str
    values: Sequence[float]  # fractions 0..1, one per group


def bar_chart(title: str, groups: Sequence[str], series: Sequence[Series]) -> Markup:
    """Bars per group, one per series, as percentages with a 0-100 % axis scaled to the data."""
    width, height = 640, 260
    left, right, top, bottom = 44, 12, 28, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v for s in series for v in s.values), default=0.0)
    # Round the axis up to a whole 10 %, at least 10 %, so small rates stay readable.
    axis_max = max(0.1, min(1.0, (int(peak * 10) + 1) / 10))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for step in range(6):
        fraction = axis_max * step / 5
        y = top + plot_h - plot_h * step / 5
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="#ddd" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"{fraction * 100:.0f} %</text>"
        )
    group_w = plot_w / max(1, len(groups))
    bar_w = group_w * 0.8 / max(1, len(series))
    for g, label in enumerate(groups):
        x0 = left + g * group_w + group_w * 0.1
        for s, line in enumerate(series):
            value = line.values[g] if g < len(line.values) else 0.0
            bar_h = plot_h * min(value, axis_max) / axis_max
            x = x0 + s * bar_w
            y = top + plot_h - bar_h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w * 0.9:.1f}" height="{bar_h:.1f}" '
                f'fill="{escape(line.colour)}"><title>{escape(line.name)} {escape(label)}: '
                f"{value * 100:.1f} %</title></rect>"
            )
        parts.append(
            f'<text x="{x0 + group_w * 0.4:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
            f'font-size="11">{escape(label)}</text>'
        )
    for s, line in enumerate(series):
        x = left + s * 150
        parts.append(
            f'<rect x="{x}" y="{height - 18}" width="12" height="12" fill="{escape(line.colour)}"/>'
            f'<text x="{x + 16}" y="{height - 8}" font-size="12">{escape(line.name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text part above is escaped)
