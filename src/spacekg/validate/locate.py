"""Loading files for `spacekg validate`, and finding where a node is written in them.

New files go to the store's default graph, context files (ontology, bundled data) to their own
named graphs. :class:`Locator` implements the ``file:line`` rule of :mod:`spacekg.validate.api`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacekg.errors import InputError
from spacekg.shacl.model import stored_form, term_to_ox
from spacekg.terms import Term, short, split_iri

if TYPE_CHECKING:
    import pyoxigraph

NEW_GRAPH = "urn:spacekg:validate:new:"
CTX_GRAPH = "urn:spacekg:validate:context:"


@dataclass
class Source:
    """A file in the validation store, in its own named graph."""

    path: Path
    shown: str
    graph: str
    new: bool
    data: bytes | None = None
    _index: dict[str, int] | None = None


def check_file(path: Path) -> None:
    """Refuse what is not a readable, non-empty RDF file of a known format (one line each)."""
    from spacekg.rdfio import check_rdf_file, format_for, parse_file

    check_rdf_file(path)  # the one file check: format, regular file, size, BOM
    if format_for(path) in ("json-ld", "xml"):
        # the CLI's safe parser: no remote JSON-LD context fetched, no XML entity resolved,
        # errors as FILE:LINE:COL
        parse_file(path)
        return
    check_utf8(path)


def check_utf8(path: Path, chunk: int = 1 << 20) -> None:
    """Stream the file through a UTF-8 decoder; the first bad byte as FILE:LINE:COL."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    line, offset, last_nl = 1, 0, -1
    blank = True
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as err:
                bad = offset + err.start
                head = block[: err.start]
                nl = head.rfind(b"\n")
                line += head.count(b"\n")
                col_start = offset + nl + 1 if nl >= 0 else last_nl + 1
                raise InputError(
                    f"{path}:{line}:{bad - col_start + 1}: not valid UTF-8 "
                    f"(byte 0x{block[err.start]:02X}); save the file as UTF-8"
                ) from None
            blank = blank and not block.strip()
            nl = block.rfind(b"\n")
            if nl >= 0:
                last_nl = offset + nl
            line += block.count(b"\n")
            offset += len(block)
    pending = decoder.getstate()[0]
    if pending:  # the file ends inside a multi-byte sequence
        bad = offset - len(pending)
        raise InputError(
            f"{path}:{line}:{bad - last_nl}: not valid UTF-8 (byte 0x{pending[0]:02X}); "
            "save the file as UTF-8"
        )
    if blank:
        raise InputError(f"{path}: the file is empty (write some RDF or remove the file)")


def load_source(store: pyoxigraph.Store, src: Source) -> None:
    """New files go to the default graph (no copy: large inputs); context files to their own
    named graph, so the checks below can tell new from existing triples."""
    import pyoxigraph as ox

    from spacekg.shacl.api import load_into

    if src.new:
        load_into(store, src.path)
        return
    tmp = ox.Store()
    load_into(tmp, src.path)
    g = ox.NamedNode(src.graph)
    store.extend(ox.Quad(q.subject, q.predicate, q.object, g) for q in tmp)


def graph_of(src: Source) -> Any:
    import pyoxigraph as ox

    return ox.DefaultGraph() if src.new else ox.NamedNode(src.graph)


_TOKEN = re.compile(
    rb'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    rb"|<[^<>\"\s]*>|#[^\n]*|_:[A-Za-z0-9_][\w.-]*"
    rb"|(?:[A-Za-z][\w.-]*)?:[\w%-]+(?:[\w.%:-]*[\w%:-])?"
)
#: the first characters a token can have: the look-ahead fails at once where no token starts
#: (whitespace, punctuation: most positions), a fifth faster over a 50 MB file
_TOKEN_START = rb"(?=[\"'<#:_A-Za-z\n])"
_UNGUARDED_NL = _TOKEN.pattern + rb"|\n"
_TOKEN_NL = re.compile(_TOKEN_START + rb"(?:" + _UNGUARDED_NL + rb")")
_CHUNK = 8 << 20


def _chunks(data: bytes) -> Iterator[bytes]:
    """``data`` in pieces of about :data:`_CHUNK` bytes, cut after a newline that is outside
    any triple-quoted string (an even count of each kind of triple quote before the cut)."""
    start, size = 0, len(data)
    while start < size:
        end = data.find(b"\n", start + _CHUNK)
        while end != -1 and (
            data.count(b'"""', start, end) % 2 or data.count(b"'''", start, end) % 2
        ):
            end = data.find(b"\n", end + 1)
        end = size if end == -1 else end + 1
        yield data[start:end]
        start = end


def first_lines(src: Source) -> dict[bytes, int]:
    """The first line of every token of ``src``'s file that can be a written form of an IRI
    (``<IRI>``, a prefixed name, a short quoted string with a colon or an ``&``), in one pass:
    the lines :meth:`Locator.index` finds for the tokens it is asked for."""
    data = src.data if src.data is not None else src.path.read_bytes()
    found: dict[bytes, int] = {}
    line = 1
    for chunk in _chunks(data):
        for tok in _TOKEN_NL.findall(chunk):
            if tok == b"\n":
                line += 1
                continue
            first = tok[:1]
            if first in (b'"', b"'"):
                if b"\n" in tok:  # a long string spans lines
                    line += tok.count(b"\n")
                    continue
                if len(tok) > 4096 or (b":" not in tok and b"&" not in tok):
                    continue  # not an IRI, nor an RDF/XML entity reference (&skgid;x)
            elif first == b"#":
                continue
            if tok not in found:
                found[tok] = line
    return found


_PREFIX_DECL = re.compile(r"(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_XMLNS_DECL = re.compile(r'xmlns:([A-Za-z][\w.-]*)\s*=\s*"([^"]*)"')
_ENTITY_DECL = re.compile(r"""<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(?:"([^"]*)"|'([^']*)')""")


@dataclass(frozen=True)
class NewTerms:
    """The subjects and objects of the new files, from their parse (no blank node among them):
    what the locator asks of the store's default graph when this process's store does not
    hold the new files (a checking process loaded its own copy)."""

    subjects: set[Any]
    objects: set[Any]


class Locator:
    """Finds the line where a node is first written in each file (rule in the module doc)."""

    def __init__(
        self,
        sources: list[Source],
        store: pyoxigraph.Store,
        remote: Callable[[Source, set[str]], dict[str, int] | None] | None = None,
        new_terms: NewTerms | None = None,
    ) -> None:
        self.sources = sources
        self.store = store
        self.prefixes: dict[str, dict[str, str]] = {}
        #: answers :meth:`index` for a new file from an index built elsewhere (None: read here)
        self.remote = remote
        #: answers for the default graph (None: the store holds it)
        self.new_terms = new_terms

    def _parsed(self, g: Any) -> NewTerms | None:
        """The parse's answers for graph ``g``, if it is the new files' and this store lacks
        them."""
        import pyoxigraph as ox

        return self.new_terms if isinstance(g, ox.DefaultGraph) else None

    def _is_subject(self, node: Any, g: Any) -> bool:
        if (parsed := self._parsed(g)) is not None:
            return node in parsed.subjects
        return next(self.store.quads_for_pattern(node, None, None, g), None) is not None

    def _is_object(self, node: Any, g: Any) -> bool:
        if (parsed := self._parsed(g)) is not None:
            return node in parsed.objects
        pattern = self.store.quads_for_pattern(None, None, stored_form(node), g)
        return next(pattern, None) is not None

    def _linking(self, node: Any, g: Any) -> Any:
        """A subject of ``g`` with ``node`` as its object, or None."""
        if self._parsed(g) is not None:
            return None  # asked of blank nodes only, and the new files have none
        quad = next(self.store.quads_for_pattern(None, None, node, g), None)
        return None if quad is None else quad.subject

    def _prefixes(self, src: Source) -> dict[str, str]:
        if src.graph not in self.prefixes:
            data = self._data(src)
            found: dict[str, str] = {}
            if src.path.suffix.lower() not in (".nt", ".nq"):
                # find the keyword with bytes.find (fast on huge files), then parse there
                for word in (b"@prefix", b"PREFIX", b"prefix"):
                    pos = data.find(word)
                    while pos != -1:
                        m = _PREFIX_DECL.match(data[pos : pos + 2000].decode("utf-8", "replace"))
                        if m:
                            found.setdefault(m.group(1) or "", m.group(2))
                        pos = data.find(word, pos + len(word))
                head = data[:200_000].decode("utf-8", "replace")
                for p, ns in _XMLNS_DECL.findall(head):
                    found.setdefault(p, ns)
            self.prefixes[src.graph] = found
        return self.prefixes[src.graph]

    def _data(self, src: Source) -> bytes:
        if src.data is None:
            src.data = src.path.read_bytes()
        return src.data

    def forms(self, src: Source, iri: str) -> list[str]:
        """How ``iri`` can be written in ``src``: <IRI>, "IRI", 'IRI', prefix:local."""
        out = [f"<{iri}>", f'"{iri}"', f"'{iri}'"]
        for name, value in self._entities(src).items():
            # RDF/XML abbreviating with an internal entity: rdf:about="&skgid;japan"
            if value and iri.startswith(value):
                rest = iri[len(value) :]
                out += [f'"&{name};{rest}"', f"'&{name};{rest}'"]
        by_ns = self._by_namespace(src)
        ns, _ = split_iri(iri)
        # prefixes are looked up by the IRI's namespace and each shorter one it starts with
        for cut in range(len(ns), 0, -1):
            if ns[cut - 1] not in "#/:":
                continue
            for prefix in by_ns.get(iri[:cut], ()):
                out.append(f"{prefix}:{iri[cut:]}")
        return out

    def _entities(self, src: Source) -> dict[str, str]:
        """Internal entities an RDF/XML file declares (``<!ENTITY skgid "https://...">``)."""
        key = "entities:" + src.graph
        if key not in self.prefixes:
            found: dict[str, str] = {}
            if src.path.suffix.lower() in (".rdf", ".owl", ".xml"):
                head = self._data(src)[:200_000].decode("utf-8", "replace")
                for name, double, single in _ENTITY_DECL.findall(head):
                    found.setdefault(name, double or single)
            self.prefixes[key] = found
        return self.prefixes[key]

    def _by_namespace(self, src: Source) -> dict[str, list[str]]:
        key = "ns:" + src.graph
        cached = self.prefixes.get(key)
        if cached is None:
            cached = {}
            for prefix, ns in self._prefixes(src).items():
                cached.setdefault(ns, []).append(prefix)  # type: ignore[attr-defined]
            self.prefixes[key] = cached  # type: ignore[assignment]
        return cached  # type: ignore[return-value]

    def index(self, src: Source, wanted: set[str]) -> None:
        """One pass over the file: the first line of every token in ``wanted``.

        ``findall`` per chunk of about 8 MB (a C loop, no match objects: 3x faster than
        ``finditer`` on a 1M-triple file, bounded memory); newlines are tokens too, so lines are
        counted on the way. Chunks end at a newline outside any long (triple-quoted) string.
        """
        data = self._data(src)
        if src._index is None:
            src._index = {}
        found = src._index
        if self.remote is not None and src.new:
            answer = self.remote(src, {w for w in wanted if w not in found})
            if answer is not None:
                found.update(answer)
                return
        need = {w.encode("utf-8") for w in wanted if w not in found}
        if not need:
            return
        line = 1
        for chunk in _chunks(data):
            for tok in _TOKEN_NL.findall(chunk):
                if tok == b"\n":
                    line += 1
                elif tok in need:
                    found[tok.decode("utf-8")] = line
                    need.discard(tok)
                    if not need:
                        return
                elif tok[:1] in (b'"', b"'") and b"\n" in tok:  # a long string spans lines
                    line += tok.count(b"\n")
        for w in need:
            found.setdefault(w.decode("utf-8"), 0)

    def line_of(self, src: Source, iri: str) -> int:
        forms = self.forms(src, iri)
        if src._index is None or any(f not in src._index for f in forms):
            self.index(src, set(forms))
        assert src._index is not None
        lines = [src._index[f] for f in forms if src._index.get(f, 0) > 0]
        return min(lines) if lines else 0

    def prepare(self, iris: set[str]) -> None:
        """Index many IRIs in one pass over each file (instead of one pass per IRI).

        An IRI is looked for in the files it can be located in: the new files if they mention
        it (or if nothing does: a predicate), else the first context file that does.
        """
        import pyoxigraph as ox

        if not iris:
            return
        new = [s for s in self.sources if s.new]
        context = [s for s in self.sources if not s.new]
        wanted: dict[str, set[str]] = {s.graph: set() for s in self.sources}

        def in_graph(node: Any, g: Any) -> bool:
            return self._is_subject(node, g) or self._is_object(node, g)

        for iri in iris:
            node = ox.NamedNode(iri)
            targets = new if new and in_graph(node, ox.DefaultGraph()) else []
            if not targets:
                targets = [s for s in context if in_graph(node, ox.NamedNode(s.graph))][:1]
            for src in targets or new:
                wanted[src.graph].update(self.forms(src, iri))
        for src in self.sources:
            if wanted[src.graph]:
                self.index(src, wanted[src.graph])

    def described_by_new(self, term: Term) -> bool:
        """Is ``term`` the subject of a triple of the new files (the default graph)?"""
        import pyoxigraph as ox

        node = term_to_ox(term)
        if not isinstance(node, (ox.NamedNode, ox.BlankNode)):
            return False
        return self._is_subject(node, ox.DefaultGraph())

    def mentions(self, term: Term, src: Source, as_subject: bool = False) -> bool:
        """Is ``term`` a subject (or, unless ``as_subject``, an object) in ``src``?"""
        import pyoxigraph as ox

        node = term_to_ox(term)
        g = graph_of(src)
        if src.new and sum(1 for s in self.sources if s.new) > 1:
            # new files share the default graph: ask the file's text as well
            iri = term.value if term.kind == "uri" else None
            if term.kind == "bnode":
                anchor = self.anchor(term, src)
                iri = anchor.value if anchor else None
            if iri is None or not self.line_of(src, iri):
                return False
        if isinstance(node, (ox.NamedNode, ox.BlankNode)) and self._is_subject(node, g):
            return True
        if as_subject:
            return False
        return self._is_object(node, g)

    def anchor(self, term: Term, src: Source) -> Term | None:
        """For a blank node: the nearest named node that links to it in ``src``."""
        import pyoxigraph as ox

        seen: set[str] = set()
        node: Any = term_to_ox(term)
        g = graph_of(src)
        while isinstance(node, ox.BlankNode) and node.value not in seen:
            seen.add(node.value)
            node = self._linking(node, g)
            if node is None:
                return None
        return Term("uri", node.value) if isinstance(node, ox.NamedNode) else None

    def locate(self, term: Term | None) -> tuple[str, int, str | None]:
        """(file shown, line, anchor display for blank nodes)."""
        if term is None:
            return "", 0, None
        ordered = [s for s in self.sources if s.new] + [s for s in self.sources if not s.new]
        for src in ordered:
            if not self.mentions(term, src):
                continue
            if term.kind == "uri":
                return src.shown, self.line_of(src, term.value), None
            if term.kind == "bnode":
                anchor = self.anchor(term, src)
                if anchor is None:
                    return src.shown, 0, None
                return src.shown, self.line_of(src, anchor.value), short(anchor.value)
            return src.shown, 0, None
        return "", 0, None


def select(store: pyoxigraph.Store, query: str) -> list[tuple[Any, ...]]:
    """The rows of a SPARQL SELECT as tuples of pyoxigraph terms."""
    return [tuple(sol[i] for i in range(len(sol))) for sol in store.query(query)]  # type: ignore[arg-type]


def any_graph(pattern: str) -> str:
    """A pattern matched in the default graph (new files) or any named graph (context)."""
    return f"{{ {{ {pattern} }} UNION {{ GRAPH ?anyg {{ {pattern} }} }} }}"
