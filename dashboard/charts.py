"""The dashboard's charts as SVG drawn on the server: no script, no library, nothing the
Content-Security-Policy has to allow. Each chart tells its series apart by pattern and marker
shape as well as colour, carries a <title> per bar or point, and the page puts a table of the
same numbers beside it."""

from __future__ import annotations

import functools
from datetime import date

from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from dashboard.selectors import DayFigures

WIDTH, HEIGHT = 760, 220
LINKED_PARTS_DAYS = 92  # up to a quarter, each part of a bar (and each count of the table) is a link
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 36

_PATTERNS = """
<defs>
  <pattern id="hatch-failed" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
    <rect width="6" height="6" fill="#f6d5cf"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b3261e" stroke-width="3"/>
  </pattern>
  <pattern id="dots-timeout" width="6" height="6" patternUnits="userSpaceOnUse">
    <rect width="6" height="6" fill="#fbe9b7"/><circle cx="3" cy="3" r="1.6" fill="#7a5a00"/>
  </pattern>
</defs>
"""
SERIES = (
    ("success", "successful", "#2e7d32"),
    ("failed", "failed", "url(#hatch-failed)"),
    ("timeout", "timed out", "url(#dots-timeout)"),
)


def _nice_max(value: float) -> int:
    """A round top for an axis at or above `value`."""
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000):
        if step * 4 >= value:
            return step * 4
    return int(value)


def _day_label(figures: DayFigures) -> str:
    return _day_words(figures.day, "SHORT_DATE_FORMAT")


def _day_words(day: date, format_name: str) -> str:
    """`day` in the named format of the active language: a year's page names each of 365 days up to
    four times, and Django's date_format translates month and weekday names on every call."""
    return _day_words_in(day, get_format(format_name), get_language())


@functools.lru_cache(maxsize=4096)
def _day_words_in(day: date, format_string: str, language: str | None) -> str:
    return dateformat.format(day, format_string)


def _x_labels(days: list[DayFigures], x_of) -> list[str]:
    every = max(1, len(days) // 10)
    return [
        f'<text x="{x_of(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" class="axis">'
        f"{escape(_day_label(d) if len(days) <= 31 else f'{d.day:%d %b}')}</text>"
        for i, d in enumerate(days)
        if i % every == 0
    ]


def _y_axis(top: int, unit: str) -> list[str]:
    parts = []
    for step in range(5):
        value = top * step / 4
        y = HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * step / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{value:g}{unit}</text>')
    return parts


def commands_chart(days: list[DayFigures]) -> SafeString:
    """Commands per day, stacked: successful (solid), failed (hatched), timed out (dotted); each part links
    to the commands behind it."""
    top = _nice_max(max((d.commands for d in days), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(days))
    bar = max(1.0, slot * 0.7)

    def x_of(i):
        return LEFT + slot * i + slot / 2

    parts = [_PATTERNS, *_y_axis(top, "")]
    # A part of a bar links to its commands; over a long range, the whole bar to the day's.
    per_part = len(days) <= LINKED_PARTS_DAYS
    for i, day in enumerate(days):
        y = HEIGHT - BOTTOM
        bars = []
        for key, words, fill in SERIES:
            count = getattr(day, key)
            if not count:
                continue
            height = plot_h * count / top
            y -= height
            title = escape(f"{_day_label(day)}: {count} {words}")
            rect = (
                f'<rect x="{x_of(i) - bar / 2:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" '
                f'fill="{fill}" class="bar {key}"><title>{title}</title></rect>'
            )
            bars.append(f'<a href="{escape(day.links[key])}">{rect}</a>' if per_part else rect)
        if bars:
            joined = "".join(bars)
            parts.append(joined if per_part else f'<a href="{escape(day.links["all"])}">{joined}</a>')
    parts += _x_labels(days, x_of)
    legend = []
    for n, (key, words, fill) in enumerate(SERIES):
        x = LEFT + n * 130
        legend.append(
            f'<rect x="{x}" y="{HEIGHT - 12}" width="12" height="10" fill="{fill}" class="bar {key}"/>'
            f'<text x="{x + 16}" y="{HEIGHT - 3}" class="legend">{words}</text>'
        )
    return _svg("Commands per day: successful, failed and timed out", parts + legend)


MARKERS = {"p50": "circle", "p95": "square"}
COMPONENT_NAMES = {"whisper": "Whisper (speech to text)", "n8n": "n8n (the command)", "tts": "ElevenLabs (the answer)"}


def timing_chart(days: list[DayFigures], component: str) -> SafeString:
    """The component's usual time (the median: solid line, circles) and its slowest 1 in 20 (the 95th percentile:
    dashed line, squares) per day, in ms."""
    values = [d.timings.get(component, (None, None)) for d in days]
    top = _nice_max(max((v for pair in values for v in pair if v is not None), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(days))

    def x_of(i):
        return LEFT + slot * i + slot / 2

    def y_of(v):
        return HEIGHT - BOTTOM - plot_h * v / top

    parts = [*_y_axis(top, " ms")]
    for index, name in enumerate(("p50", "p95")):
        points = [(x_of(i), y_of(pair[index]), days[i], pair[index]) for i, pair in enumerate(values) if pair[index]]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
            parts.append(f'<polyline points="{path}" class="line {name}"/>')
        for x, y, day, value in points if len(points) <= 62 else []:
            words = "usually" if name == "p50" else "slowest 1 in 20"
            title = escape(f"{_day_label(day)}: {words} {value} ms")
            if name == "p50":
                parts.append(
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" class="point p50"><title>{title}</title></circle>'
                )
            else:
                parts.append(
                    f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" class="point p95">'
                    f"<title>{title}</title></rect>"
                )
    parts += _x_labels(days, x_of)
    parts.append(
        f'<circle cx="{LEFT + 6}" cy="{HEIGHT - 7}" r="3" class="point p50"/>'
        f'<text x="{LEFT + 16}" y="{HEIGHT - 3}" class="legend">usually (solid)</text>'
        f'<rect x="{LEFT + 143}" y="{HEIGHT - 10}" width="6" height="6" class="point p95"/>'
        f'<text x="{LEFT + 156}" y="{HEIGHT - 3}" class="legend">slowest 1 in 20 (dashed)</text>'
    )
    return _svg(f"{COMPONENT_NAMES[component]}: usual time and slowest 1 in 20 per day, in ms", parts)


def _svg(title: str, parts: list[str]) -> SafeString:
    # Every text put in the parts went through escape(); the numbers are ours.
    return mark_safe(  # noqa: S308
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="chart" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )


def heat_level(count: int, top: int) -> int:
    """0 (none) to 5 (the busiest hour): the shade of a heat-map cell, whose number is printed too."""
    if not count or not top:
        return 0
    return max(1, min(5, round(5 * count / top)))


def _number(value, digits: int = 0) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def days_table(days: list[DayFigures]) -> SafeString:
    """The numbers of the commands chart, a row a day, each count a link to its list (rendered
    here rather than in the template: a year is 365 rows)."""
    if len(days) > LINKED_PARTS_DAYS:
        row = (
            '<tr><th scope="row">{}</th><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td>'
            "<td>{}</td><td>{}</td><td>{}</td></tr>"
        )
        values = [
            (
                _day_words(d.day, "DATE_FORMAT"), d.links["all"], d.commands, d.success, d.failed, d.timeout,
                "–" if d.success_rate is None else f"{d.success_rate:.0f} %", _number(d.confidence, 2),
                _number(d.minutes),
            )
            for d in days
        ]  # fmt: skip
        return _days_table(format_html_join("\n", row, values))
    rows = format_html_join(
        "\n",
        '<tr><th scope="row">{}</th><td><a href="{}">{}</a></td><td><a href="{}">{}</a></td>'
        '<td><a href="{}">{}</a></td><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                _day_words(d.day, "DATE_FORMAT"), d.links["all"], d.commands, d.links["success"], d.success,
                d.links["failed"], d.failed, d.links["timeout"], d.timeout,
                "–" if d.success_rate is None else f"{d.success_rate:.0f} %", _number(d.confidence, 2),
                _number(d.minutes),
            )
            for d in days
        ),
    )  # fmt: skip
    return _days_table(rows)


def _days_table(rows) -> SafeString:
    return format_html(
        '<table><thead><tr><th scope="col">Day</th><th scope="col">Commands</th><th scope="col">Successful</th>'
        '<th scope="col">Failed</th><th scope="col">Timed out</th><th scope="col">Success rate</th>'
        '<th scope="col">Heard right</th><th scope="col">Minutes</th></tr></thead><tbody>{}</tbody></table>',
        rows,
    )


def timings_table(days: list[DayFigures], components: tuple[str, ...]) -> SafeString:
    """The numbers of the timing charts: the usual time (median) and the slowest 1 in 20 (95th percentile) per
    component, a row a day."""
    head = format_html_join(
        "",
        '<th scope="col">{}: usually</th><th scope="col">slowest 1 in 20</th>',
        ((COMPONENT_NAMES[c],) for c in components),
    )
    rows = format_html_join(
        "\n",
        '<tr><th scope="row">{}</th>{}</tr>',
        (
            (
                _day_words(d.day, "DATE_FORMAT"),
                format_html_join(
                    "", "<td>{}</td><td>{}</td>",
                    ((_number(d.timings.get(c, (None, None))[0]), _number(d.timings.get(c, (None, None))[1]))
                     for c in components),
                ),
            )
            for d in days
        ),
    )  # fmt: skip
    return format_html('<table><thead><tr><th scope="col">Day</th>{}</tr></thead><tbody>{}</tbody></table>', head, rows)
