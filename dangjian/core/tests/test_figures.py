"""The shared figures helper without an app: how values read, the chart options, the drill-down rows."""

from decimal import Decimal
from types import SimpleNamespace

from dangjian.core.figures import display, rollup
from dangjian.core.templatetags.figures import figure


def test_it_reads_each_kind_of_value_as_the_pages_show_it():
    assert figure(66.7, "percent") == "66.7%" and figure(None, "percent") == "—"
    assert figure(4.0, "stars") == "4.0 ★" and figure(None, "stars") == "—"
    assert figure(None, "value") == "—" and figure(30.0, "value") == 30.0
    assert figure(Decimal("7.5"), "decimal") == "7.5"
    assert figure(0, "alarm") == 0 and figure(3, "alarm") == '<span class="badge badge-red">3</span>'
    assert figure(8) == 8
    assert rollup.share(2, 3) == 66.7 and rollup.share(1, 0) is None


def test_the_children_chart_links_only_child_nodes_and_rotates_labels_when_crowded():
    rows = [
        rollup.Row(f"p{k}", f"child {k}", SimpleNamespace(n=k), area=object(), url=f"/x?node={k}") for k in range(7)
    ]
    rows.append(rollup.Row("p", "未定位到下级", SimpleNamespace(n=9)))
    spec = display.children_chart(rows, [("n", "n")], colors=["#000"])
    assert spec["urls"] == [f"/x?node={k}" for k in range(7)]
    assert spec["option"]["series"][0]["data"] == list(range(7))
    assert spec["option"]["xAxis"]["axisLabel"]["rotate"] == 35 and spec["option"]["grid"]["bottom"] == 78
    few = display.children_chart(rows[:2], [("n", "n")], colors=["#000"])
    assert few["option"]["xAxis"]["axisLabel"]["rotate"] == 0 and few["narrow"]["xAxis"]["axisLabel"]["rotate"] == 35
    trend = display.trend_chart(
        {"labels": ["a"], "x": [1], "y": [2]}, [("x", "x", "bar"), ("y", "y", "line")], colors=[]
    )
    assert "legend" in trend["option"] and "barMaxWidth" not in trend["option"]["series"][1]
    assert [c.key for c in display.chart_boxes(few, "bars", display.Chart("trend", "t", "t", trend))] == [
        "children",
        "trend",
    ]
    assert [c.key for c in display.chart_boxes({"urls": []}, "bars", display.Chart("trend", "t", "t", trend))] == [
        "trend"
    ]
