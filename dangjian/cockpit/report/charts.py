"""The report's charts as PNG, drawn on the server with matplotlib (Agg) in Noto Sans CJK, so the PDF
and the Word file carry the same pictures: a figure per child area (bars) and a group's monthly
trend (lines)."""

from __future__ import annotations

import io
from functools import cache
from typing import Any

COLORS = ["#c0392b", "#2f6fb3", "#d68910", "#239b56"]
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "WenQuanYi Zen Hei", "Source Han Sans SC")


@cache
def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    known = {f.name for f in font_manager.fontManager.ttflist}
    families = [f for f in CJK_FAMILIES if f in known]
    plt.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": families + ["DejaVu Sans"],
            "axes.unicode_minus": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 10,
        }
    )
    return plt


def _png(fig: Any) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=150, bbox_inches="tight")
    _pyplot().close(fig)
    return out.getvalue()


def bar_chart(title: str, labels: list[str], values: list[float], unit: str = "") -> bytes:
    """One figure per child area, as horizontal bars (long Chinese names read across), top first."""
    plt = _pyplot()
    height = 1.2 + 0.32 * max(len(labels), 1)
    fig, ax = plt.subplots(figsize=(6.4, height))
    ys = list(range(len(labels)))[::-1]
    bars = ax.barh(ys, values, color=COLORS[0], height=0.6)
    ax.set_yticks(ys, labels)
    top = max([abs(v) for v in values] + [1])
    for bar, value in zip(bars, values, strict=True):
        text = f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
        ax.text(bar.get_width() + top * 0.01, bar.get_y() + bar.get_height() / 2, text, va="center", fontsize=9)
    ax.set_xlim(0, top * 1.15)
    if all(isinstance(v, int) for v in values):
        ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title(f"{title}（{unit}）" if unit else title, fontsize=11, loc="left")
    ax.tick_params(axis="y", length=0)
    return _png(fig)


def trend_chart(
    title: str,
    labels: list[str],
    series: list[tuple[str, list[Any]]],
    rates: list[tuple[str, list[Any]]] | None = None,
) -> bytes:
    """A group's figures month by month, one line per figure, the months along the bottom; rates (per
    cent, a month without a value left open) on an axis of their own, on the right beside counts."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 2.8))
    rates = rates or []
    lines = []
    for i, (name, values) in enumerate(series):
        lines += ax.plot(labels, _floats(values), marker="o", markersize=3, color=COLORS[i % len(COLORS)], label=name)
    counts_top = max([v for _name, values in series for v in values if v is not None] + [1])
    ax.set_ylim(0, counts_top * 1.15)
    ax.yaxis.get_major_locator().set_params(integer=True)
    rate_ax = ax
    if rates and series:
        rate_ax = ax.twinx()
        rate_ax.spines["right"].set_visible(True)
    for j, (name, values) in enumerate(rates, start=len(series)):
        lines += rate_ax.plot(
            labels, _floats(values), marker="s", markersize=3, color=COLORS[j % len(COLORS)], label=f"{name}（%）"
        )
    if rates:
        rate_ax.set_ylim(0, 105)
    ax.set_title(title, fontsize=11, loc="left")
    ax.tick_params(axis="x", labelrotation=35, labelsize=8)
    ax.legend(lines, [line.get_label() for line in lines], fontsize=8, frameon=False, loc="upper left", ncol=3)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    return _png(fig)


def _floats(values: list[Any]) -> list[float]:
    return [float("nan") if v is None else float(v) for v in values]
