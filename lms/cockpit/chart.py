"""A small server-rendered SVG chart: no script, no CDN, readable as a table beside it."""
from markupsafe import Markup, escape


def bar_chart(points, title, width=640, height=220):
    """Bars for [(label, value)], labelled underneath, the value above each bar."""
    left, bottom, top = 36, 34, 18
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max((value for _, value in points), default=0) or 1
    step = plot_w / max(1, len(points))
    bar_w = step * 0.62
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="chart-title">{escape(title)}</title>',
             f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - 8}" '
             f'y2="{top + plot_h}"/>']
    for i, (label, value) in enumerate(points):
        x = left + i * step + (step - bar_w) / 2
        h = plot_h * value / peak
        y = top + plot_h - h
        parts.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                     f'height="{h:.1f}"><title>{escape(label)}: {value}</title></rect>')
        parts.append(f'<text class="value" x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" '
                     f'text-anchor="middle">{value}</text>')
        parts.append(f'<text class="label" x="{x + bar_w / 2:.1f}" y="{height - 12}" '
                     f'text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
