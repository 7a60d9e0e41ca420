"""report.html: one self-contained page (inline CSS and SVG drawn here, nothing fetched)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

SECTIONS = ("retrieval", "answers", "cost")
WORST = 15
PASSAGE_CHARS = 400
SCORE_BIN = 0.05
COLOURS = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2")
# Plot geometry in SVG user units: canvas, then the margins around the drawing area.
# The legend sits in the right margin so it never covers the data.
WIDTH, HEIGHT = 540, 290
LEFT, RIGHT, TOP, BOTTOM = 56, 160, 36, 50
LEGEND_CHARS = 26


@dataclass
class Tick:
    pos: float
    label: str


@dataclass
class Point:
    x: float
    y: float
    tip: str


@dataclass
class Line:
    colour: str
    points: list[Point]

    @property
    def path(self) -> str:
        """The points as an SVG polyline attribute."""
        return " ".join(f"{p.x},{p.y}" for p in self.points)


@dataclass
class Bar:
    x: float
    y: float
    w: float
    h: float
    colour: str
    tip: str


@dataclass
class Plot:
    title: str
    x_label: str
    y_label: str
    note: str = ""  # shown instead of the chart when there is nothing to draw
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    marks: list[Tick] = field(default_factory=list)  # vertical lines (pos = x)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (label, colour)
    width: int = WIDTH
    height: int = HEIGHT
    box: tuple[int, int, int, int] = (LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM)


def _scale(lo: float, hi: float, start: float, end: float) -> Callable[[float], float]:
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    return lambda v: round(start + (v - lo) / (hi - lo) * (end - start), 1)


def _legend(name: str, n: int) -> str:
    label = f" (n={n})"
    room = LEGEND_CHARS - len(label)
    return (name if len(name) <= room else name[: room - 1] + "…") + label


def _nice(step: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten that is at least ``step``."""
    if step <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(step))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= step * (1 - 1e-9))


def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    step = _nice((hi - lo) / count)
    first = math.ceil(lo / step - 1e-9)
    return [i * step for i in range(first, math.floor(hi / step + 1e-9) + 1)]


def _hit_curve(rows: list[dict[str, Any]]) -> Plot:
    k_max = max((len(r.get("retrieved") or []) for r in rows), default=0)
    plot = Plot("Evidence hit@k", "k (retrieved passages considered)", "share of questions")
    ranks: dict[str, list[int | None]] = {}
    for r in rows:
        if r.get("answerable", True) and r.get("evidence"):
            ranks.setdefault(str(r.get("dataset")), []).append(r.get("evidence_rank"))
    if not k_max or not ranks:
        plot.note = "No data: no answerable question with evidence, or nothing retrieved."
        return plot
    x = _scale(1, k_max, LEFT, WIDTH - RIGHT)
    y = _scale(0, 1, HEIGHT - BOTTOM, TOP)
    step = max(1, int(_nice(k_max / 10)))
    plot.x_ticks = [Tick(x(k), str(k)) for k in sorted({1, *range(step, k_max + 1, step)})]
    plot.y_ticks = [Tick(y(v), f"{v:g}") for v in (0, 0.25, 0.5, 0.75, 1)]
    for i, (name, found) in enumerate(ranks.items()):
        colour = COLOURS[i % len(COLOURS)]
        points = []
        for k in range(1, k_max + 1):
            share = sum(1 for rank in found if rank is not None and rank <= k) / len(found)
            points.append(Point(x(k), y(share), f"{name}: hit@{k} = {share:.3f}"))
        plot.lines.append(Line(colour, points))
        plot.legend.append((_legend(name, len(found)), colour))
    return plot


def _histogram(
    plot: Plot,
    series: dict[str, list[float]],
    width: float,
    label: Callable[[float], str],
    mark: Tick | None = None,
) -> Plot:
    """Overlaid histograms with bins of ``width`` aligned to its multiples."""
    values = [v for vs in series.values() for v in vs]
    lo = math.floor(min(values) / width + 1e-9) * width
    hi = max(math.ceil(max(values) / width - 1e-9) * width, lo + width)
    if mark:  # keep the threshold inside the picture
        lo = min(lo, math.floor(mark.pos / width + 1e-9) * width)
        hi = max(hi, math.ceil(mark.pos / width - 1e-9) * width)
    bins = max(1, round((hi - lo) / width))
    counts = {name: [0] * bins for name in series}
    for name, vs in series.items():
        for v in vs:
            counts[name][min(bins - 1, max(0, int((v - lo) / width + 1e-9)))] += 1
    step = max(1, int(_nice(max(max(c) for c in counts.values()) / 4)))
    top = step * math.ceil(max(max(c) for c in counts.values()) / step)
    x = _scale(lo, hi, LEFT, WIDTH - RIGHT)
    y = _scale(0, top, HEIGHT - BOTTOM, TOP)
    plot.x_ticks = [Tick(x(v), label(v)) for v in _ticks(lo, hi, 6)]
    plot.y_ticks = [Tick(y(v), str(v)) for v in range(0, top + 1, step)]
    for i, (name, cs) in enumerate(counts.items()):
        colour = COLOURS[i % len(COLOURS)]
        plot.legend.append((_legend(name, len(series[name])), colour))
        for b, c in enumerate(cs):
            if c:
                left, right = lo + b * width, lo + (b + 1) * width
                tip = f"{name}: {c} in [{label(left)}, {label(right)})"
                plot.bars.append(Bar(x(left), y(c), x(right) - x(left), y(0) - y(c), colour, tip))
    plot.marks = [Tick(x(mark.pos), mark.label)] if mark else []
    return plot


def _latency(rows: list[dict[str, Any]]) -> Plot:
    plot = Plot("Latency of generated answers", "milliseconds", "questions")
    series: dict[str, list[float]] = {"total_ms": [], "first_token_ms": []}
    for r in rows:
        if r.get("generated"):
            timings = r.get("timings") or {}
            for key, values in series.items():
                if isinstance(timings.get(key), int | float):
                    values.append(float(timings[key]))
    series = {k: v for k, v in series.items() if v}
    if not series:
        plot.note = "No data: no generated answer has timings."
        return plot
    values = [v for vs in series.values() for v in vs]
    width = _nice((max(values) - min(values)) / 20 or max(max(values), 1.0) / 10)
    return _histogram(plot, series, width, lambda v: f"{v:,.0f}")


def _scores(rows: list[dict[str, Any]], threshold: Any) -> Plot:
    plot = Plot(
        "Best retrieval score: answerable vs unanswerable",
        "highest cosine in the top k",
        "questions",
    )
    series: dict[str, list[float]] = {"answerable": [], "unanswerable": []}
    for r in rows:
        if isinstance(r.get("best_score"), int | float):
            key = "answerable" if r.get("answerable", True) else "unanswerable"
            series[key].append(float(r["best_score"]))
    series = {k: v for k, v in series.items() if v}
    if not series:
        plot.note = "No data: no question retrieved anything."
        return plot
    mark = None
    if isinstance(threshold, int | float) and not isinstance(threshold, bool):
        mark = Tick(float(threshold), f"abstention threshold min_score = {threshold:g}")
    return _histogram(plot, series, SCORE_BIN, lambda v: f"{v:.2f}", mark)


def fmt(key: str, value: Any) -> str:
    """A metric for the tables: — for n/a, ms as integers, token means to 0.1, rates to 0.001."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if key.endswith("_ms") or "_ms_" in key:
        return f"{value:,.0f}"
    return f"{value:,.1f}" if "tokens" in key else f"{value:.3f}"


def _headline(report: dict[str, Any]) -> dict[str, Any]:
    scopes = {"overall": report.get("overall") or {}, **(report.get("datasets") or {})}
    columns = [(name, fmt("n", (s or {}).get("n"))) for name, s in scopes.items()]
    sections = []
    for section in SECTIONS:
        parts = [(s or {}).get(section) or {} for s in scopes.values()]
        keys = list(dict.fromkeys(key for part in parts for key in part))
        sections.append((section, [(key, [fmt(key, p.get(key)) for p in parts]) for key in keys]))
    return {"columns": columns, "sections": sections}


def _judge(judge: dict[str, Any]) -> dict[str, Any]:
    scopes = {"overall": judge.get("overall") or {}}
    scopes.update({k: v or {} for k, v in judge.items() if k != "overall"})
    keys = ("faithfulness", "correctness", "n", "parse_failures")
    return {
        "columns": list(scopes),
        "rows": [(key, [fmt(key, s.get(key)) for s in scopes.values()]) for key in keys],
    }


def _config_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def problems(row: dict[str, Any]) -> list[tuple[int, str]]:
    """What went wrong with a row, as (badness class, text); lower classes are worse."""
    found = []
    answerable, generated = row.get("answerable", True), row.get("generated")
    if answerable and row.get("evidence") and row.get("evidence_rank") is None:
        k = len(row.get("retrieved") or [])
        found.append((0, f"evidence not in the top {k} retrieved passages"))
    if generated and answerable and row.get("abstained"):
        found.append((1, "abstained although the question is answerable"))
    if generated and not answerable and row.get("abstained") is False:
        found.append((2, "answered although the documents don't cover the question"))
    grounded = row.get("groundedness")
    if isinstance(grounded, int | float) and grounded < 1:
        found.append((3, f"groundedness {grounded:.3f}: some sentences unsupported"))
    return found


def _passage(hit: dict[str, Any]) -> dict[str, Any]:
    text = str(hit.get("text") or "")
    return {
        "rank": str(hit.get("rank") or "?"),
        "doc_id": str(hit.get("doc_id") or ""),
        "score": fmt("score", hit.get("score")),
        "text": text[:PASSAGE_CHARS] + ("…" if len(text) > PASSAGE_CHARS else ""),
        "evidence": bool(hit.get("evidence")),
        "gold_source": bool(hit.get("gold_source")),
    }


def worst(rows: list[dict[str, Any]], limit: int = WORST) -> list[dict[str, Any]]:
    """The rows that went most wrong, worst first, ready for the template."""

    def badness(item: tuple[dict[str, Any], list[tuple[int, str]]]) -> tuple[int, int, float]:
        row, found = item
        grounded = row.get("groundedness")
        return (found[0][0], -len(found), grounded if isinstance(grounded, int | float) else 2.0)

    bad = sorted(((r, sorted(problems(r))) for r in rows if problems(r)), key=badness)[:limit]
    return [
        {
            "dataset": str(r.get("dataset") or ""),
            "id": str(r.get("id") or ""),
            "question": str(r.get("question") or ""),
            "problems": [text for _, text in found],
            "answer": r.get("answer") if r.get("generated") else None,
            "unsupported": [
                str(s.get("text")) for s in r.get("sentences") or [] if s.get("supported") is False
            ],
            "evidence": r.get("evidence"),
            "reference": r.get("reference"),
            "source": r.get("source"),
            "passages": [_passage(h) for h in r.get("retrieved") or []],
        }
        for r, found in bad
    ]


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(report: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """The whole report as one self-contained HTML document."""
    config = report.get("config") or {}
    retrieval = config.get("retrieval")
    threshold = retrieval.get("min_score") if isinstance(retrieval, dict) else None
    judge = report.get("judge")
    template = _environment().get_template("report.html.j2")
    return template.render(
        when=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        questions=len(rows),
        config=[(str(k), _config_value(v)) for k, v in config.items()],
        headline=_headline(report),
        plots=[_hit_curve(rows), _latency(rows), _scores(rows, threshold)],
        worst=worst(rows),
        judge=_judge(judge) if judge is not None else None,
    )
