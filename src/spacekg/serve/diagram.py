"""The ontology diagram: an inline SVG of the top classes and the object properties between them,
laid out here (boxes on an ellipse, the properties without a domain or range on a hub)."""

from __future__ import annotations

import math
from typing import Any


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


BOX_W, BOX_H = 170, 38
PAD = 50  # above and below the ellipse: room for the self-loops and their labels

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1


def diagram(onto: Any) -> str:
    """An SVG of the top classes (boxes on an ellipse) and the object properties between them."""
    from spacekg.query.render import escape, quoteattr

    labels = {c.iri: c.label for c in onto.classes}
    labels["*"] = "any node"
    (width, height), pos = _layout(onto)
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
    # labels go where they cover no box and no label placed before them, drawn over every line
    placed: list[Rect] = [_box(x, y, BOX_W, BOX_H) for x, y in pos.values()]
    texts = []
    for a, b, props in onto.edges:
        if a not in pos or b not in pos:
            continue
        path, candidates = _edge(pos, a, b, (width / 2, height / 2))
        out.append(
            f'<path d="{path}" fill="none" stroke="#3d4f66" stroke-width="1.4" '
            'marker-end="url(#arrow)"/>'
        )
        text = ", ".join(props)
        tw = 6.4 * len(text) + 10
        lx, ly = _place(candidates, tw, placed, (width, height))
        placed.append(_box(lx, ly - 1, tw, 18))
        texts.append(
            f'<rect x="{lx - tw / 2:.0f}" y="{ly - 10:.0f}" width="{tw:.0f}" height="18" rx="3" '
            'fill="#ffffff" fill-opacity="0.92"/>\n'
            f'<text x="{lx:.0f}" y="{ly + 3:.0f}" text-anchor="middle" class="edge">'
            f"{escape(text)}</text>"
        )
    out.extend(texts)
    for n, (x, y) in pos.items():
        label = labels.get(n, _local(n))
        link = f"#{_local(n)}" if n != "*" else None
        box = (
            f'<rect x="{x - BOX_W / 2:.0f}" y="{y - BOX_H / 2:.0f}" width="{BOX_W}" '
            f'height="{BOX_H}" rx="6" class="node{" any" if n == "*" else ""}"/>'
            f'<text x="{x:.0f}" y="{y + 5:.0f}" text-anchor="middle" class="label">'
            f"{escape(label)}</text>"
        )
        out.append(f"<a href={quoteattr(link)}>{box}</a>" if link else box)
    out.append("</svg>")
    return "\n".join(out)


def _layout(onto: Any) -> tuple[tuple[int, int], dict[str, tuple[float, float]]]:
    """The drawing's size and the centre of each box: the top classes around an ellipse in
    :func:`_circle_order`, the hub ``*`` (any node) last, in the middle."""
    nodes = [c.iri for c in onto.classes if c.top == c.iri]
    hub = any("*" in (a, b) for a, b, _ in onto.edges)
    order = _circle_order(nodes, [e for e in onto.edges if "*" not in e[:2]])
    # room for every box on the ellipse: about 80 px of width per class
    width, ring_h = max(1100, 80 * len(nodes)), 820 + max(0, 12 * (len(nodes) - 12))
    height = ring_h + 2 * PAD
    cx, cy, rx, ry = width / 2, height / 2, width / 2 - 110, ring_h / 2 - 60
    pos = {}
    for i, n in enumerate(order):
        angle = -math.pi / 2 + 2 * math.pi * i / len(order)
        pos[n] = (cx + rx * math.cos(angle), cy + ry * math.sin(angle))
    if hub:
        pos["*"] = (cx, cy)
    return (width, height), pos


def _edge(
    pos: dict[str, tuple[float, float]], a: str, b: str, centre: tuple[float, float]
) -> tuple[str, list[tuple[float, float]]]:
    """The SVG path of the edge a -> b and the places for its label, best first."""
    (x1, y1), (x2, y2) = pos[a], pos[b]
    cx, cy = centre
    if a == b:  # a loop on the side of the box away from the centre
        s = -1 if y1 <= cy else 1
        top, peak = y1 + s * BOX_H / 2, y1 + s * 90
        path = (
            f"M{x1 - 30:.0f},{top:.0f} C{x1 - 60:.0f},{peak:.0f} "
            f"{x1 + 60:.0f},{peak:.0f} {x1 + 30:.0f},{top:.0f}"
        )
        return path, [(x1, y1 + s * 78), (x1, y1 + s * 92), (x1 + 140, y1 + s * 60)]
    sx, sy = _border(x1, y1, x2, y2, BOX_W, BOX_H)
    ex, ey = _border(x2, y2, x1, y1, BOX_W, BOX_H)
    mx, my = (sx + ex) / 2, (sy + ey) / 2
    # ring to ring: bend away from the centre (where the hub is); hub edges: straight
    bend = 0.0 if "*" in (a, b) else -0.22
    bx, by = mx + (cx - mx) * bend, my + (cy - my) * bend
    path = f"M{sx:.0f},{sy:.0f} Q{bx:.0f},{by:.0f} {ex:.0f},{ey:.0f}"

    def at(t: float) -> tuple[float, float]:
        u = 1 - t
        return u * u * sx + 2 * t * u * bx + t * t * ex, u * u * sy + 2 * t * u * by + t * t * ey

    along = [at(t) for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8)]
    return path, along + [(x, y + dy) for dy in (-16, 16, -32, 32) for x, y in along]


def _place(
    candidates: list[tuple[float, float]], tw: float, placed: list[Rect], size: tuple[int, int]
) -> tuple[float, float]:
    """The first candidate whose label (kept inside the drawing) covers nothing placed, else the
    one covering least."""
    width, height = size
    best, least = candidates[0], math.inf
    for x, y in candidates:
        x = min(max(x, tw / 2 + 2), width - tw / 2 - 2)
        y = min(max(y, 12.0), height - 10.0)
        rect = _box(x, y - 1, tw, 18)
        cover = sum(_overlap(rect, other) for other in placed)
        if cover < least:
            best, least = (x, y), cover
        if cover == 0:
            break
    return best


def _box(x: float, y: float, w: float, h: float) -> Rect:
    return x - w / 2, y - h / 2, x + w / 2, y + h / 2


def _overlap(r: Rect, s: Rect) -> float:
    dx = min(r[2], s[2]) - max(r[0], s[0])
    dy = min(r[3], s[3]) - max(r[1], s[1])
    return dx * dy if dx > 0 and dy > 0 else 0.0


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
