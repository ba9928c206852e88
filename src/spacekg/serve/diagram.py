"""The ontology diagram: an inline SVG of the top classes and the object properties between them,
laid out here (boxes on an ellipse, the properties without a domain or range on a hub)."""

from __future__ import annotations

import math
from typing import Any


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def diagram(onto: Any) -> str:
    """An SVG of the top classes (boxes on an ellipse) and the object properties between them."""
    from spacekg.query.render import escape, quoteattr

    labels = {c.iri: c.label for c in onto.classes}
    nodes = [c.iri for c in onto.classes if c.top == c.iri]
    if any("*" in (a, b) for a, b, _ in onto.edges):
        nodes.append("*")
    labels["*"] = "any node"
    ring = [n for n in nodes if n != "*"]
    order = _circle_order(ring, [e for e in onto.edges if "*" not in e[:2]])
    # room for every box on the ellipse: about 80 px of width per class
    width, height = max(1100, 80 * len(ring)), 820 + max(0, 12 * (len(ring) - 12))
    cx, cy, rx, ry = width / 2, height / 2, width / 2 - 110, height / 2 - 60
    pos = {"*": (cx, cy)} if "*" in nodes else {}
    for i, n in enumerate(order):
        angle = -math.pi / 2 + 2 * math.pi * i / len(order)
        pos[n] = (cx + rx * math.cos(angle), cy + ry * math.sin(angle))
    order = [*order, "*"] if "*" in nodes else order
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        'aria-labelledby="diagram-title diagram-desc" class="diagram">',
        '<title id="diagram-title">How the main classes connect</title>',
        '<desc id="diagram-desc">Boxes are the top classes of the ontology; an arrow from A to B '
        "is an object property whose domain falls under A and range under B.</desc>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#3d4f66"/></marker></defs>',
    ]
    box_w, box_h = 170, 38
    for a, b, props in onto.edges:
        if a not in pos or b not in pos:
            continue
        (x1, y1), (x2, y2) = pos[a], pos[b]
        text = ", ".join(props)
        if a == b:
            path = (
                f"M{x1 - 30:.0f},{y1 - box_h / 2:.0f} C{x1 - 60:.0f},{y1 - 90:.0f} "
                f"{x1 + 60:.0f},{y1 - 90:.0f} {x1 + 30:.0f},{y1 - box_h / 2:.0f}"
            )
            lx, ly = x1, y1 - 78
        else:
            sx, sy = _border(x1, y1, x2, y2, box_w, box_h)
            ex, ey = _border(x2, y2, x1, y1, box_w, box_h)
            mx, my = (sx + ex) / 2, (sy + ey) / 2
            # ring to ring: bend away from the centre (where the hub is); hub edges: straight
            bend = 0.0 if "*" in (a, b) else -0.22
            bx, by = mx + (cx - mx) * bend, my + (cy - my) * bend
            path = f"M{sx:.0f},{sy:.0f} Q{bx:.0f},{by:.0f} {ex:.0f},{ey:.0f}"
            lx, ly = (sx + 2 * bx + ex) / 4, (sy + 2 * by + ey) / 4
        out.append(
            f'<path d="{path}" fill="none" stroke="#3d4f66" stroke-width="1.4" '
            'marker-end="url(#arrow)"/>'
        )
        tw = 6.4 * len(text) + 10
        out.append(
            f'<rect x="{lx - tw / 2:.0f}" y="{ly - 10:.0f}" width="{tw:.0f}" height="18" rx="3" '
            'fill="#ffffff" fill-opacity="0.92"/>'
        )
        out.append(
            f'<text x="{lx:.0f}" y="{ly + 3:.0f}" text-anchor="middle" class="edge">'
            f"{escape(text)}</text>"
        )
    for n in order:
        x, y = pos[n]
        label = labels.get(n, _local(n))
        link = f"#{_local(n)}" if n != "*" else None
        box = (
            f'<rect x="{x - box_w / 2:.0f}" y="{y - box_h / 2:.0f}" width="{box_w}" '
            f'height="{box_h}" rx="6" class="node{" any" if n == "*" else ""}"/>'
            f'<text x="{x:.0f}" y="{y + 5:.0f}" text-anchor="middle" class="label">'
            f"{escape(label)}</text>"
        )
        out.append(f"<a href={quoteattr(link)}>{box}</a>" if link else box)
    out.append("</svg>")
    return "\n".join(out)


def _border(x1: float, y1: float, x2: float, y2: float, w: float, h: float) -> tuple[float, float]:
    """Where the line from the centre of a w x h box at (x1, y1) towards (x2, y2) leaves it."""
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return x1, y1
    scale = min((w / 2) / abs(dx) if dx else math.inf, (h / 2) / abs(dy) if dy else math.inf)
    return x1 + dx * scale, y1 + dy * scale


def _circle_order(nodes: list[str], edges: Any) -> list[str]:
    """Nodes in an order around the ellipse that keeps connected ones near each other: a walk
    that always goes to the most connected unplaced neighbour."""
    weight: dict[tuple[str, str], int] = {}
    for a, b, props in edges:
        if a != b:
            key = (min(a, b), max(a, b))
            weight[key] = weight.get(key, 0) + len(props)
    degree = {n: sum(w for k, w in weight.items() if n in k) for n in nodes}
    remaining = sorted(nodes, key=lambda n: (-degree[n], n))
    order = [remaining.pop(0)] if remaining else []
    while remaining:
        last = order[-1]
        best = max(
            remaining,
            key=lambda n: (weight.get((min(last, n), max(last, n)), 0), degree[n], n),
        )
        remaining.remove(best)
        order.append(best)
    return order
