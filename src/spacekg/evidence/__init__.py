"""Evidence: spans of the article that back every node, checked against the seed files.

A span is a W3C Web Annotation ``oa:SpecificResource`` (also ``skg:EvidenceSpan``) with
``oa:hasSource`` the source node and two selectors: an ``oa:TextQuoteSelector`` (``oa:exact``,
the exact words) and an ``oa:TextPositionSelector`` (``oa:start``/``oa:end``: 0-based,
end-exclusive offsets in code points of the seed file as stored).

**Which seed file a source node stands for.** A source node carries ``skg:sha256``, the hex
sha256 of the seed file's bytes. A source resolves to the seed file in ``seeds/`` with that
digest; no file name is stored in the graph, so renaming a seed changes nothing and editing it
is detected. A source whose digest matches no seed is reported (``sha256-mismatch``), naming the
seed files and their digests; a source without ``skg:sha256`` is ``unknown-source``.

**Sentence rule** (used for the coverage check, :func:`split_sentences`). Each line of the file
is a paragraph; the first line (the byline) is one sentence like any line without a sentence
end. Inside a line, a sentence ends at ``.``, ``?`` or ``!`` (optionally followed by a closing
quote or bracket) when one or more spaces follow and the next character is an uppercase letter
or an opening quote. A period does not end a sentence after a known abbreviation (``Mr.``,
``Dr.``, ``U.S.``, ``e.g.``, ``No.``, month abbreviations...) or after a single capital
initial (``J. Smith``). Acronyms written without periods (``US``, ``DOS``, ``ROK``) never end a
sentence. Sentence offsets exclude surrounding whitespace.

This module does not import click; rdflib is imported only by the functions that read graphs,
so :func:`find_quote` and :func:`split_sentences` are cheap to call.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from spacekg.errors import InputError
from spacekg.evidence.quotes import (  # noqa: F401 - re-exported
    CONTEXT_CHARS,
    Passage,
    QuoteMatch,
    QuoteSearch,
    describe_quote_location,
    find_quote,
    line_col,
)
from spacekg.namespaces import OA, ONTOLOGY_NS

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

SHA256 = ONTOLOGY_NS + "sha256"
HAS_EVIDENCE = ONTOLOGY_NS + "hasEvidence"
EVIDENCE_SPAN = ONTOLOGY_NS + "EvidenceSpan"
SENTENCE = ONTOLOGY_NS + "Sentence"


#: periods after these words (lower-cased) do not end a sentence
_ABBREVIATION_WORDS = (
    "mr. mrs. ms. dr. prof. gen. col. lt. sen. rep. st. no. vs. etc. e.g. i.e. u.s. u.k. u.n. "
    "e.u. jan. feb. mar. apr. jun. jul. aug. sep. sept. oct. nov. dec."
)
ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())

# A candidate sentence end: terminal punctuation, optional closing quote/bracket, spaces, then
# an uppercase letter or an opening quote.
_BOUNDARY = re.compile(r"[.?!][\"'\u201d\u2019)\]]?( +)(?=[A-Z\"'\u201c\u2018(])")


@dataclass(frozen=True)
class Seed:
    """A seed file: its path, text and the sha256 of its bytes."""

    path: Path
    text: str
    sha256: str

    @classmethod
    def from_path(cls, path: Path) -> Seed:
        data = Path(path).read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise InputError(
                f"{path}: not UTF-8 (byte {err.start})", hint="save the seed as UTF-8"
            ) from err
        return cls(Path(path), text, hashlib.sha256(data).hexdigest())


@dataclass(frozen=True)
class Sentence:
    """One sentence of a seed: 0-based, end-exclusive offsets; ``line`` is 1-based."""

    index: int
    start: int
    end: int
    line: int
    text: str


@dataclass(frozen=True)
class Span:
    """An evidence span as the graph states it (any field may be missing or wrong)."""

    node: str  # IRI, or _:id for a blank node
    source: str | None
    exact: str | None
    start: int | None
    end: int | None
    quote_selectors: int
    position_selectors: int


@dataclass(frozen=True)
class SpanProblem:
    """Something wrong with a span or a source node, with a one-line, actionable message."""

    node: str  # the span (or, for source problems, the source node)
    kind: str  # see verify_spans
    message: str


# --------------------------------------------------------------------------- seeds, sentences


def load_seeds(directory: Path | None = None) -> list[Seed]:
    """Every ``*.txt`` seed in ``directory`` (default: the bundle's ``seeds/``), sorted by name."""
    if directory is None:
        from spacekg.project import seeds_dir

        directory = seeds_dir()
    return [Seed.from_path(p) for p in sorted(Path(directory).glob("*.txt"))]


def _as_seeds(seeds: Iterable[Seed | Path] | Path | None) -> list[Seed]:
    if seeds is None or isinstance(seeds, Path):
        if isinstance(seeds, Path) and seeds.is_file():
            return [Seed.from_path(seeds)]
        return load_seeds(seeds)
    return [s if isinstance(s, Seed) else Seed.from_path(Path(s)) for s in seeds]


def _is_abbreviation(paragraph: str, dot: int) -> bool:
    """True if the '.' at ``dot`` closes an abbreviation or an initial, not a sentence."""
    if paragraph[dot] != ".":
        return False
    word_start = dot
    while word_start > 0 and not paragraph[word_start - 1].isspace():
        word_start -= 1
    word = paragraph[word_start : dot + 1].lstrip("\"'(\u201c\u2018")
    if word.lower() in ABBREVIATIONS:
        return True
    return len(word) == 2 and word[0].isupper()  # an initial: "J."


def split_sentences(text: str) -> list[Sentence]:
    """Split a seed into sentences by the rule in the module docstring."""
    sentences: list[Sentence] = []
    offset = 0
    for line_no, paragraph in enumerate(text.split("\n"), start=1):
        cuts = [0]
        for m in _BOUNDARY.finditer(paragraph):
            if not _is_abbreviation(paragraph, m.start()):
                cuts.append(m.start(1))
        cuts.append(len(paragraph))
        for a, b in itertools.pairwise(cuts):
            piece = paragraph[a:b]
            stripped = piece.strip()
            if not stripped:
                continue
            lead = len(piece) - len(piece.lstrip())
            start = offset + a + lead
            sentences.append(
                Sentence(len(sentences), start, start + len(stripped), line_no, stripped)
            )
        offset += len(paragraph) + 1
    return sentences


# --------------------------------------------------------------------------- graphs


def _name(term: Node) -> str:
    from rdflib import BNode

    return f"_:{term}" if isinstance(term, BNode) else str(term)


def _int(term: Node | None) -> int | None:
    from rdflib import Literal

    if not isinstance(term, Literal):
        return None
    try:
        return int(str(term))
    except ValueError:
        return None


def read_spans(graph: Graph, *, sentences: bool = False) -> list[Span]:
    """Every span in ``graph``: nodes typed oa:SpecificResource or skg:EvidenceSpan, objects
    of skg:hasEvidence, and subjects of oa:hasSelector; sorted by node name.

    Sentence nodes (typed skg:Sentence, data/sentences.ttl) have the same selectors but are
    text, not evidence: they are left out (so they cover no sentence and are not counted as
    spans) unless ``sentences`` is true, as :func:`verify_spans` asks to check their offsets."""
    from rdflib import RDF, URIRef

    has_selector = URIRef(OA + "hasSelector")
    nodes: set[Node] = set()
    nodes.update(graph.subjects(RDF.type, URIRef(OA + "SpecificResource")))
    nodes.update(graph.subjects(RDF.type, URIRef(EVIDENCE_SPAN)))
    nodes.update(graph.objects(None, URIRef(HAS_EVIDENCE)))
    nodes.update(graph.subjects(has_selector, None))
    if not sentences:
        nodes -= set(graph.subjects(RDF.type, URIRef(SENTENCE))) - set(
            graph.objects(None, URIRef(HAS_EVIDENCE))
        )
    spans = []
    for node in nodes:
        source = graph.value(node, URIRef(OA + "hasSource"))
        exact: str | None = None
        start = end = None
        n_quote = n_pos = 0
        for sel in graph.objects(node, has_selector):
            types = set(graph.objects(sel, RDF.type))
            ex = graph.value(sel, URIRef(OA + "exact"))
            if URIRef(OA + "TextQuoteSelector") in types or ex is not None:
                n_quote += 1
                if ex is not None:
                    exact = str(ex)
            st = graph.value(sel, URIRef(OA + "start"))
            en = graph.value(sel, URIRef(OA + "end"))
            if URIRef(OA + "TextPositionSelector") in types or st is not None or en is not None:
                n_pos += 1
                start, end = _int(st), _int(en)
        spans.append(
            Span(
                _name(node),
                _name(source) if source is not None else None,
                exact,
                start,
                end,
                n_quote,
                n_pos,
            )
        )
    return sorted(spans, key=lambda s: s.node)


def resolve_sources(graph: Graph, seeds: Iterable[Seed]) -> dict[str, Seed | None]:
    """Map every source node (object of oa:hasSource) to the seed with its skg:sha256."""
    from rdflib import URIRef

    by_sha = {s.sha256: s for s in seeds}
    out: dict[str, Seed | None] = {}
    for source in set(graph.objects(None, URIRef(OA + "hasSource"))):
        sha = graph.value(source, URIRef(SHA256))
        out[_name(source)] = by_sha.get(str(sha).strip().lower()) if sha is not None else None
    return out


def verify_spans(
    graph: Graph, seeds: Iterable[Seed | Path] | Path | None = None
) -> list[SpanProblem]:
    """Check every span of ``graph`` against the seed files (default: the bundle's seeds).

    Problem kinds: ``missing-source`` (no oa:hasSource), ``unknown-source`` (the source node has
    no skg:sha256), ``sha256-mismatch`` (no seed file has the source's digest; reported once per
    source), ``missing-quote-selector``, ``missing-position-selector``, ``bad-offsets`` (not
    integers, negative, start >= end, or past the end of the seed), ``quote-mismatch``
    (``seed[start:end] != exact``; the message says where the quote really occurs, or the
    closest passage). An empty list means every span is sound.
    """
    from rdflib import URIRef

    seed_list = _as_seeds(seeds)
    sources = resolve_sources(graph, seed_list)
    problems: list[SpanProblem] = []
    seed_names = ", ".join(f"{s.path.name} ({s.sha256[:12]}...)" for s in seed_list) or "none"
    terms = {_name(t): t for t in graph.objects(None, URIRef(OA + "hasSource"))}
    for source, seed in sorted(sources.items()):
        if seed is not None:
            continue
        sha_term = graph.value(terms[source], URIRef(SHA256))
        if sha_term is None:
            problems.append(
                SpanProblem(
                    source,
                    "unknown-source",
                    f"source {source} has no skg:sha256, so no seed file can be matched "
                    "(add skg:sha256 with the seed file's sha256sum)",
                )
            )
        else:
            problems.append(
                SpanProblem(
                    source,
                    "sha256-mismatch",
                    f"source {source} records sha256 {sha_term} but no seed file has it "
                    f"(seeds: {seed_names}); the seed changed or the digest is wrong",
                )
            )
    for span in read_spans(graph, sentences=True):
        problems.extend(_check_span(span, sources))
    return problems


def _check_span(span: Span, sources: dict[str, Seed | None]) -> list[SpanProblem]:
    out: list[SpanProblem] = []

    def add(kind: str, message: str) -> None:
        out.append(SpanProblem(span.node, kind, f"span {span.node}: {message}"))

    if span.source is None:
        add("missing-source", "no oa:hasSource (link it to the source node)")
    if span.quote_selectors != 1 or span.exact is None:
        add(
            "missing-quote-selector",
            f"needs exactly one oa:TextQuoteSelector with oa:exact (has {span.quote_selectors})",
        )
    if span.position_selectors != 1:
        add(
            "missing-position-selector",
            "needs exactly one oa:TextPositionSelector with oa:start and oa:end "
            f"(has {span.position_selectors})",
        )
    seed = sources.get(span.source) if span.source else None
    if span.position_selectors >= 1:
        if span.start is None or span.end is None:
            add("bad-offsets", "oa:start and oa:end must both be integers")
        elif span.start < 0 or span.start >= span.end:
            add("bad-offsets", f"start {span.start} must be >= 0 and < end {span.end}")
        elif seed is not None and span.end > len(seed.text):
            add(
                "bad-offsets",
                f"end {span.end} is past the end of {seed.path.name} ({len(seed.text)} chars)",
            )
    if out or seed is None or span.exact is None or span.start is None or span.end is None:
        return out
    actual = seed.text[span.start : span.end]
    if actual != span.exact:
        where = describe_quote_location(seed.text, span.exact)
        add(
            "quote-mismatch",
            f"{seed.path.name}[{span.start}:{span.end}] is {actual!r}, not the oa:exact "
            f"{span.exact!r}; {where}",
        )
    return out


def _default_seed(seed: Seed | Path | None) -> Seed:
    if isinstance(seed, Seed):
        return seed
    if isinstance(seed, Path):
        return Seed.from_path(seed)
    seeds = load_seeds()
    if not seeds:
        raise InputError("no seed files found", hint="put the article in seeds/")
    return seeds[0]


def uncovered_sentences(graph: Graph, seed: Seed | Path | None = None) -> list[Sentence]:
    """Sentences of ``seed`` that no span of ``graph`` (on a source resolving to that seed)
    overlaps. Default seed: the first file in the bundle's ``seeds/``."""
    seed = _default_seed(seed)
    sources = {k for k, v in resolve_sources(graph, [seed]).items() if v is not None}
    ranges = [
        (s.start, s.end)
        for s in read_spans(graph)
        if s.source in sources and s.start is not None and s.end is not None
    ]
    return [
        sent
        for sent in split_sentences(seed.text)
        if not any(a < sent.end and b > sent.start for a, b in ranges)
    ]


def entity_sentences(graph: Graph, entity: str, seed: Seed | Path | None = None) -> list[Sentence]:
    """The sentences of ``seed`` that the evidence spans of ``entity`` (an IRI) overlap, in
    text order: competency question 11 at sentence granularity (the stored query
    ``entity-sentences`` returns the spans themselves)."""
    from rdflib import URIRef

    seed = _default_seed(seed)
    sources = {k for k, v in resolve_sources(graph, [seed]).items() if v is not None}
    own = {_name(s) for s in graph.objects(URIRef(entity), URIRef(HAS_EVIDENCE))}
    ranges = [
        (s.start, s.end)
        for s in read_spans(graph)
        if s.node in own and s.source in sources and s.start is not None and s.end is not None
    ]
    return [
        sent
        for sent in split_sentences(seed.text)
        if any(a < sent.end and b > sent.start for a, b in ranges)
    ]
