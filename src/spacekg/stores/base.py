"""The load model shared by every backend: what is loaded (:class:`LoadItem`), what happened
(:class:`GraphLoad`, :class:`LoadReport`), and preparing the input: formats, scans, counts.

The bundled graph (:func:`bundle_items`: the ontology, every data file and optionally the
inferred triples, the same graphs and bytes as ``spacekg export``) or user files
(:func:`file_items`) become one :class:`LoadItem` per named graph; after each graph is written its
triples are counted in the store and compared with what was parsed (:func:`check_count`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacekg.errors import InputError, StoreError
from spacekg.rdfio import MAX_TOKEN_BYTES
from spacekg.rdfio import TABLE as RDF_TABLE
from spacekg.stores.staging import STAGING_NS  # noqa: F401 - re-exported

if TYPE_CHECKING:
    pass

#: (done, total) in bytes of input; the CLI draws a progress bar from it on a terminal
Progress = Callable[[int, int], None]

DEFAULT_GRAPH = ""  # LoadItem.graph for the store's default graph

#: the triple formats a graph is loaded from (rows of :data:`spacekg.rdfio.TABLE`), by key
TRIPLE_FORMATS = {f.key: f for f in RDF_TABLE if not f.quads and f.key != "jsonld"}
FORMATS = {ext: f.key for f in TRIPLE_FORMATS.values() for ext in f.extensions}
MEDIA_TYPES = {key: f.media_type for key, f in TRIPLE_FORMATS.items()}
DATASET_SUFFIXES = tuple(
    ext for f in RDF_TABLE if f.key not in TRIPLE_FORMATS for ext in f.extensions
)


@dataclass(frozen=True)
class LoadItem:
    """One graph to load: the bytes (``data``) or a file (``path``), already validated.

    ``triples`` is the number of triples in it, ``distinct`` the number of distinct ones (what a
    store holds afterwards; None until needed), ``has_bnodes`` whether a blank node occurs.
    ``parsed`` is False for an N-Triples file whose lines were only counted: ``triples`` is then
    its statement lines and ``has_bnodes`` says only that ``_:`` occurs somewhere
    (:func:`parse_item` parses it).
    """

    graph: str  # graph IRI, or DEFAULT_GRAPH
    label: str  # for messages: a file path or a bundle name
    format: str  # a key of MEDIA_TYPES
    triples: int
    distinct: int | None
    has_bnodes: bool
    path: Path | None = None
    data: bytes | None = None
    replace: bool = True
    parsed: bool = True

    @property
    def size(self) -> int:
        if self.data is not None:
            return len(self.data)
        return self.path.stat().st_size if self.path else 0

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]


@dataclass(frozen=True)
class GraphLoad:
    """The outcome for one graph: how many triples were sent, how many the target holds."""

    graph: str
    label: str
    sent: int
    stored: int
    replaced: bool
    method: str  # e.g. "transaction+move", "bulk", "gsp-put", "update-chunks+move"


@dataclass(frozen=True)
class LoadReport:
    target: str
    graphs: tuple[GraphLoad, ...]
    seconds: float

    @property
    def triples(self) -> int:
        return sum(g.stored for g in self.graphs)


# --- preparing the input -------------------------------------------------------------------------


def _ox_format(fmt: str) -> Any:
    from spacekg.rdfio import ox_format

    return ox_format(TRIPLE_FORMATS[fmt])


def guess_format(path: Path, fmt: str | None = None) -> str:
    """The format key of ``path`` (``fmt`` wins); InputError for datasets and unknown suffixes."""
    if fmt:
        if fmt not in MEDIA_TYPES:
            raise InputError(f"unknown format {fmt!r} (use one of: {', '.join(MEDIA_TYPES)})")
        return fmt
    suffix = path.suffix.lower()
    if suffix in DATASET_SUFFIXES:
        raise InputError(
            f"{path}: a dataset file ({suffix}) names its own graphs; load a triples file "
            "(.nt, .ttl, .rdf) with --graph, or the bundled graph with `spacekg load` alone"
        )
    if suffix not in FORMATS:
        raise InputError(
            f"{path}: cannot tell the RDF format from the suffix {suffix!r} "
            f"(use .nt, .ttl or .rdf, or pass --format)"
        )
    return FORMATS[suffix]


def _triple_key(quad: Any) -> bytes:
    return hashlib.blake2b(
        f"{quad.subject} {quad.predicate} {quad.object}".encode(), digest_size=12
    ).digest()


def scan(
    source: Path | bytes, fmt: str, label: str, *, distinct: bool = False
) -> tuple[int, int | None, bool]:
    """Parse ``source`` completely: (triples, distinct triples or None, has blank nodes).

    Raises InputError naming the file and line on a syntax error. Streamed: memory does not
    grow with the input, except with ``distinct`` (a digest per triple, ~60 MB per million).
    """
    import pyoxigraph as ox

    seen: set[bytes] = set()
    count = 0
    bnodes = False
    blank = ox.BlankNode
    try:
        if isinstance(source, bytes):
            quads = ox.parse(source, _ox_format(fmt))
        else:
            quads = ox.parse(path=source, format=_ox_format(fmt))
        for quad in quads:
            count += 1
            if distinct:
                seen.add(_triple_key(quad))
            if not bnodes and (isinstance(quad.subject, blank) or isinstance(quad.object, blank)):
                bnodes = True
    except SyntaxError as err:
        from spacekg.rdfio import syntax_error

        raise syntax_error(label, TRIPLE_FORMATS[fmt], err) from None
    except MemoryError:
        from spacekg.rdfio import MAX_TOKEN_BYTES

        raise InputError(
            f"{label}: a literal or IRI is over {MAX_TOKEN_BYTES} bytes, the parser's limit "
            "(shorten it or keep it outside the graph)"
        ) from None
    except OSError as err:
        raise InputError(f"{label}: cannot read: {err.strerror or err} (check the path)") from None
    return count, (len(seen) if distinct else None), bnodes


#: a line that may be blank or a comment (it starts with white space, "#" or a line end)
_ODD_LINE = rb"\n[ \t\r\f\v#\n]"
#: a blank node label (or the same two characters inside an IRI or a literal: counted too)
_BLANK_LABEL = rb"_:"


#: the longest N-Triples line that can parse: four terms (a literal's datatype is the fourth)
#: at the parser's token limit, and the white space between them
MAX_LINE_BYTES = 4 * MAX_TOKEN_BYTES + 1024


def ntriples_lines(path: Path, block_size: int = 8 << 20) -> tuple[int, bool]:
    """(triples, may have blank nodes) of an N-Triples file, from its statement lines (no parse).

    Read in blocks of whole lines; a block without a line that starts with white space, "#" or
    a line end has one triple per line, and only such blocks are looked at line by line.
    """
    count, bnodes = 0, False
    with open(path, "rb") as handle:
        while block := handle.read(block_size):
            rest = handle.readline(MAX_LINE_BYTES)
            if len(rest) == MAX_LINE_BYTES and not rest.endswith(b"\n"):
                raise InputError(
                    f"{path}: a line is over {MAX_LINE_BYTES} bytes, so a literal or IRI in it "
                    "is over the parser's limit (shorten it or keep it outside the graph)"
                )
            block += rest
            bnodes = bnodes or re.search(_BLANK_LABEL, block) is not None
            if block[:1] not in b" \t\r\f\v#\n" and re.search(_ODD_LINE, block) is None:
                count += block.count(b"\n") + (not block.endswith(b"\n"))
                continue
            for line in block.split(b"\n"):
                stripped = line.strip()
                if stripped and not stripped.startswith(b"#"):
                    count += 1
    return count, bnodes


def parse_item(item: LoadItem, *, distinct: bool = False) -> LoadItem:
    """``item`` parsed completely (InputError naming the file and line on a syntax error);
    ``distinct``: with its distinct triples counted too."""
    if item.parsed and (item.distinct is not None or not distinct):
        return item
    assert item.path is not None
    triples, distinct_triples, bnodes = scan(item.path, item.format, item.label, distinct=distinct)
    return dataclasses.replace(
        item, triples=triples, distinct=distinct_triples, has_bnodes=bnodes, parsed=True
    )


def distinct_count(item: LoadItem) -> int:
    """The number of distinct triples of ``item`` (what any RDF store holds after loading it)."""
    if item.distinct is not None:
        return item.distinct
    source = item.data if item.data is not None else item.path
    assert source is not None
    return scan(source, item.format, item.label, distinct=True)[1] or 0


def check_count(item: LoadItem, stored: int, before: int, where: str) -> None:
    """Raise StoreError unless ``stored`` triples is what loading ``item`` must give."""
    if item.replace or before == 0:
        low = high = item.triples if stored == item.triples else distinct_count(item)
    else:  # appended to a non-empty graph: some sent triples may have been there already
        low, high = before, before + item.triples
    if not low <= stored <= high:
        expected = str(low) if low == high else f"{low} to {high}"
        raise StoreError(
            f"{item.label}: {where} holds {stored} triples after the load, expected {expected}"
        )


def _check_input(path: Path, form: str) -> None:
    """The one file check and the BOM verdict; RDF/XML entities and DTDs refused
    (:mod:`spacekg.rdfio`)."""
    from spacekg.rdfio import check_file, read_file, refuse_bom, refuse_external_entities

    check_file(path)
    with open(path, "rb") as handle:
        refuse_bom(path, handle.read(3))
    if form == "rdfxml":
        refuse_external_entities(path, read_file(path))


def file_items(
    paths: Iterable[Path | str],
    *,
    graph: str | None = None,
    fmt: str | None = None,
    replace: bool = False,
    parse: bool = True,
) -> list[LoadItem]:
    """Validate user files completely (nothing is written yet) and plan one item per file.

    Without ``graph`` the triples go to the store's default graph. ``parse=False`` skips the
    parse of N-Triples files (their lines are counted): for the embedded store, whose bulk
    loader validates everything before it writes anything.
    """
    items = []
    target = graph if graph is not None else DEFAULT_GRAPH
    if graph is not None:
        _check_iri(graph)
    for raw in paths:
        path = Path(raw)
        form = guess_format(path, fmt)
        _check_input(path, form)
        parsed = parse or form != "ntriples"
        if parsed:
            triples, distinct, bnodes = scan(path, form, str(path))
        else:
            (triples, bnodes), distinct = ntriples_lines(path), None
        items.append(
            LoadItem(
                target,
                str(path),
                form,
                triples,
                distinct,
                bnodes,
                path=path,
                replace=replace,
                parsed=parsed,
            )
        )
    if replace and len({i.graph for i in items}) < len(items):
        raise InputError(
            "--replace with several files into the same graph would keep only the last; "
            "concatenate them or load without --replace"
        )
    return items


def bundle_items(*, inferred: bool = False) -> list[LoadItem]:
    """The bundled graph as ``spacekg export`` writes it: one item per named graph.

    Blank nodes carry the export's dataset-wide labels, so a node shared by two graphs stays one
    node in an embedded store.
    """
    from spacekg.dataset.export import iter_graphs

    items = []
    for iri, lines in iter_graphs(inferred=inferred):
        data = "".join(line + "\n" for line in lines).encode("utf-8")
        bnodes = "_:" in data.decode("utf-8")
        items.append(
            LoadItem(
                iri,
                iri.rsplit("/graph/", 1)[-1],
                "ntriples",
                len(lines),
                len(lines),
                bnodes,
                data=data,
                replace=True,
            )
        )
    return items


def _check_iri(iri: str) -> None:
    import pyoxigraph as ox

    try:
        ox.NamedNode(iri)
    except ValueError:
        raise InputError(
            f"--graph {iri!r} is not an absolute IRI (e.g. https://example.org/g)"
        ) from None
    if ":" not in iri or any(c in iri for c in ' <>"{}|\\^`'):
        raise InputError(f"--graph {iri!r} is not an absolute IRI (e.g. https://example.org/g)")
