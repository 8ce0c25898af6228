"""The picture shows every resource, boxes components around their children, marks the path."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from faas.report import build_report
from faas.report.plan_doc import resources
from faas.report.render import report_svg

FIXTURES = Path(__file__).parent / "fixtures" / "report"
NS = {"s": "http://www.w3.org/2000/svg"}


def report():
    return build_report(json.loads((FIXTURES / "small-blue.json").read_text()))


def rect(group: ET.Element) -> tuple[float, float, float, float]:
    r = group.find("s:rect", NS)
    assert r is not None
    x, y, w, h = (float(r.get(k)) for k in ("x", "y", "width", "height"))
    return x, y, x + w, y + h


def test_svg_is_well_formed_and_titles_every_resource_by_urn() -> None:
    rep = report()
    root = ET.fromstring(report_svg(rep))
    titles = {t.text for t in root.iter("{http://www.w3.org/2000/svg}title")}
    for r in resources(rep.doc):
        assert any(t and t.startswith(r.urn) for t in titles), r.urn
        assert r.type in report_svg(rep)


def test_components_are_boxes_that_contain_their_children() -> None:
    rep = report()
    root = ET.fromstring(report_svg(rep))
    boxes = {g.get("data-urn"): rect(g) for g in root.iter("{http://www.w3.org/2000/svg}g")}
    for r in resources(rep.doc):
        if r.parent:
            px0, py0, px1, py1 = boxes[r.parent]
            x0, y0, x1, y1 = boxes[r.urn]
            assert px0 <= x0 and py0 <= y0 and x1 <= px1 and y1 <= py1, r.name
    clusters = [
        g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "cluster"
    ]
    assert len(clusters) == 4  # the stack and three components


def test_resources_do_not_overlap() -> None:
    root = ET.fromstring(report_svg(report()))
    nodes = [
        rect(g)
        for g in root.iter("{http://www.w3.org/2000/svg}g")
        if (g.get("class") or "").startswith("node")
    ]
    for i, a in enumerate(nodes):
        for b in nodes[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def test_critical_path_nodes_are_highlighted_and_only_those() -> None:
    rep = report()
    root = ET.fromstring(report_svg(rep))
    marked = {
        g.get("data-urn")
        for g in root.iter("{http://www.w3.org/2000/svg}g")
        if g.get("class") == "node critical"
    }
    assert marked == rep.critical_path.urns
    assert report_svg(rep).count('marker-end="url(#arrowc)"') == len(rep.critical_path.steps) - 1


def test_dependency_edges_point_right() -> None:
    root = ET.fromstring(report_svg(report()))
    for path in root.iter("{http://www.w3.org/2000/svg}path"):
        d = path.get("d") or ""
        if d.startswith("M") and " C" in d:
            start = float(d[1:].split(",")[0])
            end = float(d.rsplit(" ", 1)[1].split(",")[0])
            assert end > start
