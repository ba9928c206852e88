"""The ontology diagram of ``spacekg serve`` drawn from the bundled ontology: every edge label
inside the drawing, clear of the class boxes and of the other labels."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def _rect(el: ET.Element) -> tuple[float, float, float, float]:
    x, y = float(el.get("x", 0)), float(el.get("y", 0))
    return x, y, x + float(el.get("width", 0)), y + float(el.get("height", 0))


def _overlap(r: tuple[float, ...], s: tuple[float, ...]) -> bool:
    return min(r[2], s[2]) > max(r[0], s[0]) and min(r[3], s[3]) > max(r[1], s[1])


def test_edge_labels_do_not_overlap() -> None:
    from spacekg.query.engine import OxigraphMemoryBackend
    from spacekg.serve.diagram import diagram
    from spacekg.serve.ontology import ontology

    onto = ontology(OxigraphMemoryBackend())
    root = ET.fromstring(diagram(onto))
    _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
    labels = [_rect(r) for r in root.iter(f"{SVG}rect") if r.get("fill") == "#ffffff"]
    boxes = [_rect(r) for r in root.iter(f"{SVG}rect") if "node" in (r.get("class") or "")]
    assert len(labels) == len(onto.edges) and len(boxes) >= 10
    for label in labels:
        assert label[0] >= 0 and label[2] <= width and label[1] >= 0 and label[3] <= height
        assert not any(_overlap(label, box) for box in boxes), label
    clashes = [(a, b) for a, b in itertools.combinations(labels, 2) if _overlap(a, b)]
    assert not clashes
