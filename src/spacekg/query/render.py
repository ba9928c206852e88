"""Write a :class:`~spacekg.terms.QueryResult` for people or for programs.

* SELECT: ``table`` (aligned columns, IRIs as prefixed names, literals plain), and the W3C
  SPARQL 1.1 result formats ``csv``, ``tsv``, ``json`` and ``xml``.
* ASK: ``true``/``false`` (table, csv, tsv), or the W3C ``json``/``xml`` boolean documents.
* CONSTRUCT/DESCRIBE: ``turtle``, ``ntriples``, ``jsonld``; triples sorted, same bytes each run.

Nothing here imports rdflib: rendering is on the fast query path.
"""

from __future__ import annotations

import json
import re

from spacekg.errors import InputError
from spacekg.namespaces import TERM_PREFIXES
from spacekg.terms import QueryResult, Term
from spacekg.terms import cell as term_cell

SELECT_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld")
ALL_FORMATS = SELECT_FORMATS + GRAPH_FORMATS
SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"


#: characters XML 1.0 cannot carry at all, not even as character references
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    """XML character data (xml.sax.saxutils would pull in urllib: slow to import). A carriage
    return is written as ``&#13;``: a parser reads a raw one as a line feed."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def quoteattr(text: str) -> str:
    """An XML attribute value in double quotes (tabs and line ends as references, which
    attribute-value normalisation would otherwise turn into spaces)."""
    value = escape(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
    return '"' + value + '"'


def _xml_safe(text: str, where: str) -> str:
    """``text``, or InputError if it holds a character XML 1.0 cannot carry."""
    bad = XML_FORBIDDEN.search(text)
    if bad:
        raise InputError(
            f"{where} holds the control character U+{ord(bad.group()):04X}, which XML 1.0 "
            "cannot carry (use --format json, csv or tsv)"
        )
    return text


def default_prefixes() -> dict[str, str]:
    """The prefixes tables use for IRIs."""
    return dict(TERM_PREFIXES)


def short(term: Term | None, prefixes: dict[str, str]) -> str:
    """A term for a table cell (see :func:`spacekg.terms.cell`)."""
    return term_cell(term, prefixes)


def _clip(text: str, width: int | None) -> str:
    if width is None or len(text) <= width:
        return text
    return text[: max(1, width - 1)] + "…"


MIN_CELL = 12  # a clipped column keeps at least this many characters


def _labelled(header: list[str]) -> dict[int, int]:
    """Column index of ``x`` -> index of its label column ``xLabel`` (or ``x_label``)."""
    pos = {h: i for i, h in enumerate(header)}
    pairs = {}
    for i, h in enumerate(header):
        for name in (f"{h}Label", f"{h}_label"):
            if name in pos:
                pairs[i] = pos[name]
                break
    return pairs


def table(
    result: QueryResult,
    prefixes: dict[str, str] | None = None,
    max_cell: int | None = None,
    width: int | None = None,
) -> str:
    """SELECT rows as an aligned text table with a row count.

    With ``width`` (a terminal's), the table is fitted to it: each label column moves before
    the column it labels; columns of IRIs that have a label column are dropped, widest first,
    until the rows fit; if they still do not, the widest cells are clipped with ``…``. The last
    line names what was left out. Without ``width``, every column in the query's order.
    """
    prefixes = prefixes if prefixes is not None else default_prefixes()
    header = list(result.variables)
    cells = [[_clip(short(t, prefixes), max_cell) for t in row] for row in result.rows]
    widths = [len(h) for h in header]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    order = list(range(len(header)))
    dropped: list[str] = []
    clipped = False
    if width is not None and header:
        pairs = _labelled(header)
        labels = set(pairs.values())
        order = []
        for i in range(len(header)):
            if i in labels and i not in pairs:
                continue  # placed just before the column it labels
            if i in pairs and pairs[i] not in order:
                order.append(pairs[i])
            if i not in order:
                order.append(i)

        def total(cols: list[int]) -> int:
            return sum(widths[c] for c in cols) + 2 * (len(cols) - 1)

        iri_columns = [
            i
            for i in pairs
            if all(r[i] is None or r[i].kind != "literal" for r in result.rows)  # type: ignore[union-attr]
        ]
        for i in sorted(iri_columns, key=lambda c: -widths[c]):
            if total(order) <= width:
                break
            order.remove(i)
            dropped.append(header[i])
        while total(order) > width:  # shrink the widest column, never below the next widest
            widest = max(order, key=lambda c: widths[c])
            over = total(order) - width
            runner_up = max((widths[c] for c in order if c != widest), default=0)
            step = max(widths[widest] - over, min(runner_up, widths[widest] - 1))
            target = max(MIN_CELL, len(header[widest]), step)
            if target >= widths[widest]:
                break  # every column is as narrow as it may be: let the terminal wrap
            widths[widest] = target
            clipped = True
        if clipped:
            cells = [[_clip(c, widths[i]) for i, c in enumerate(r)] for r in cells]
    lines = ["  ".join(header[i].ljust(widths[i]) for i in order).rstrip()]
    lines.append("  ".join("-" * widths[i] for i in order))
    lines += ["  ".join(r[i].ljust(widths[i]) for i in order).rstrip() for r in cells]
    count = len(cells)
    left_out = []
    if dropped:
        left_out.append(f"IRI column{'s' if len(dropped) > 1 else ''} {', '.join(dropped)} hidden")
    if clipped:
        left_out.append("long cells clipped")
    note = f"; {' and '.join(left_out)}: --wide shows all" if left_out else ""
    lines.append(f"({count} row{'s' if count != 1 else ''}{note})")
    return "\n".join(lines) + "\n"


#: a CSV field holding one of these is quoted (RFC 4180)
_CSV_QUOTE = re.compile(r'[,"\r\n]')


def _csv_field(text: str) -> str:
    if _CSV_QUOTE.search(text) is None:
        return text
    return '"' + text.replace('"', '""') + '"'


#: a row holding one of these has a field to quote (commas are counted instead)
_CSV_ROW_QUOTE = re.compile(r'["\r\n]')


def to_csv(result: QueryResult) -> str:
    """W3C SPARQL 1.1 CSV: lexical values only, CRLF line ends.

    A row is joined first and quoted field by field only if it needs it (a comma more than the
    separators, a quote or a line break): one test per row, not per field.
    """
    lines = [",".join(_csv_field(v) for v in result.variables)]
    commas = len(result.variables) - 1
    for row in result.rows:
        values = [
            "" if t is None else f"_:{t.value}" if t.kind == "bnode" else t.value for t in row
        ]
        line = ",".join(values)
        if line.count(",") != commas or _CSV_ROW_QUOTE.search(line) is not None:
            line = ",".join(_csv_field(v) for v in values)
        lines.append(line)
    return "\r\n".join(lines) + "\r\n"


def _tsv_term(t: Term | None) -> str:
    if t is None:
        return ""
    return t.n3().replace("\t", "\\t")


def to_tsv(result: QueryResult) -> str:
    """W3C SPARQL 1.1 TSV: terms in SPARQL syntax, ``?var`` header."""
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join(_tsv_term(t) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def _json_term(t: Term) -> dict[str, str]:
    out = {"type": t.kind, "value": t.value}
    if t.lang:
        out["xml:lang"] = t.lang
    elif t.datatype:
        out["datatype"] = t.datatype
    return out


def to_json(result: QueryResult) -> str:
    """W3C SPARQL 1.1 Query Results JSON."""
    if result.form == "ask":
        doc: dict[str, object] = {"head": {}, "boolean": bool(result.boolean)}
    else:
        bindings = [
            {v: _json_term(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
            for row in result.rows
        ]
        doc = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def to_xml(result: QueryResult) -> str:
    """W3C SPARQL Query Results XML."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sparql xmlns="{SPARQL_RESULTS_NS}">']
    if result.form == "ask":
        out += ["  <head/>", f"  <boolean>{'true' if result.boolean else 'false'}</boolean>"]
    else:
        out.append("  <head>")
        out += [f"    <variable name={quoteattr(v)}/>" for v in result.variables]
        out += ["  </head>", "  <results>"]
        for number, row in enumerate(result.rows, 1):
            out.append("    <result>")
            for v, t in zip(result.variables, row, strict=True):
                if t is None:
                    continue
                _xml_safe(t.value, f"the value of ?{v} in result row {number}")
                if t.kind == "uri":
                    inner = f"<uri>{escape(t.value)}</uri>"
                elif t.kind == "bnode":
                    inner = f"<bnode>{escape(t.value)}</bnode>"
                elif t.lang:
                    inner = f"<literal xml:lang={quoteattr(t.lang)}>{escape(t.value)}</literal>"
                elif t.datatype:
                    inner = f"<literal datatype={quoteattr(t.datatype)}>{escape(t.value)}</literal>"
                else:
                    inner = f"<literal>{escape(t.value)}</literal>"
                out.append(f"      <binding name={quoteattr(v)}>{inner}</binding>")
            out.append("    </result>")
        out.append("  </results>")
    out.append("</sparql>")
    return "\n".join(out) + "\n"


def _is_blank(term: object) -> bool:
    return isinstance(term, Term) and term.kind == "bnode"


def ntriples_lines(result: QueryResult) -> list[str]:
    """The triples of a graph result as sorted, unique N-Triples lines.

    Blank nodes are relabelled from their content (as
    :func:`spacekg.dataset.export.bnode_labels` does
    for exports), so the same result gives the same bytes on every run.
    """
    triples = result.triples
    if any(_is_blank(s) or _is_blank(o) for s, _p, o in triples):
        from spacekg.dataset.export import bnode_labels

        labels = bnode_labels([(s, p, o, None) for s, p, o in triples], _is_blank)

        def n3(term: Term) -> str:
            return f"_:{labels[term]}" if _is_blank(term) else term.n3()

        return sorted({f"{n3(s)} {n3(p)} {n3(o)} ." for s, p, o in triples})
    return sorted({f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in triples})


def graph_text(result: QueryResult, fmt: str) -> str:
    """A CONSTRUCT/DESCRIBE result as ``turtle``, ``ntriples`` or ``jsonld``."""
    lines = ntriples_lines(result)
    if fmt == "ntriples":
        return "".join(line + "\n" for line in lines)
    import pyoxigraph as ox

    from spacekg.dataset.export import _sort_prefixes

    triples = ox.parse("\n".join(lines).encode("utf-8"), ox.RdfFormat.N_TRIPLES)
    if fmt == "turtle":
        prefixes = default_prefixes()
        used = {k: v for k, v in prefixes.items() if any(v in line for line in lines)}
        data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=used)
        return _sort_prefixes(data).decode("utf-8")
    data = ox.serialize(triples, format=ox.RdfFormat.JSON_LD) or b"[]"
    return json.dumps(json.loads(data), indent=2, ensure_ascii=False) + "\n"


def default_format(result: QueryResult) -> str:
    return "turtle" if result.form == "graph" else "table"


def render(
    result: QueryResult,
    fmt: str | None = None,
    *,
    max_cell: int | None = None,
    width: int | None = None,
) -> str:
    """``result`` as text in ``fmt`` (default: a table, or Turtle for a graph).

    ``width`` fits a table to a terminal that wide (see :func:`table`); other formats ignore it.
    """
    fmt = fmt or default_format(result)
    if fmt not in ALL_FORMATS:
        raise InputError(f"unknown result format {fmt!r} (use one of: {', '.join(ALL_FORMATS)})")
    if result.form == "graph":
        if fmt not in GRAPH_FORMATS:
            raise InputError(
                f"a CONSTRUCT/DESCRIBE query gives triples: use --format {'|'.join(GRAPH_FORMATS)}"
            )
        return graph_text(result, fmt)
    if fmt in GRAPH_FORMATS:
        article = "an" if result.form == "ask" else "a"
        raise InputError(
            f"{article} {result.form.upper()} query gives no triples: use --format "
            f"{'|'.join(SELECT_FORMATS)}"
        )
    if result.form == "ask":
        if fmt == "json":
            return to_json(result)
        if fmt == "xml":
            return to_xml(result)
        return ("true" if result.boolean else "false") + "\n"
    if fmt == "csv":
        return to_csv(result)
    if fmt == "tsv":
        return to_tsv(result)
    if fmt == "json":
        return to_json(result)
    if fmt == "xml":
        return to_xml(result)
    return table(result, max_cell=max_cell, width=width)
