"""The curator's first steps: add a source text, then cut evidence spans out of it.

``add_source`` copies a plain-text source into ``seeds/`` and writes its source node (authors,
publisher, URL, sha256; never an invented title or date) as Turtle into ``data/``.
``excerpt`` finds words in a source text and returns a ready Turtle evidence span with both
selectors (``oa:TextQuoteSelector`` and ``oa:TextPositionSelector``; offsets 0-based, end-exclusive,
in code points of the file as stored).

Both write deterministic Turtle by hand (sorted, fixed layout), so the same input gives the same
bytes, and files are written atomically (temporary file + rename).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from spacekg.errors import InputError
from spacekg.namespaces import ID_NS, ONTOLOGY_NS, PREFIXES, RDFS_LABEL
from spacekg.project import bundle_root

SHA256 = ONTOLOGY_NS + "sha256"
MAX_SLUG_WORDS = 6
MAX_SLUG_CHARS = 48


# --------------------------------------------------------------------------- small helpers


def slugify(text: str, max_words: int = MAX_SLUG_WORDS) -> str:
    """Lower-case ASCII words joined by hyphens: ``"the US-led QUAD"`` -> ``the-us-led-quad``."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = "-".join(words[:max_words])[:MAX_SLUG_CHARS].strip("-")
    return slug or "x"


def turtle_string(value: str) -> str:
    """A Turtle string literal, escaped by the RDF library's own serialiser (pyoxigraph)."""
    import pyoxigraph as ox

    return str(ox.Literal(value))


def turtle_iri(iri: str, what: str = "IRI") -> str:
    """``<iri>`` as the RDF library writes it; InputError (exit 3) naming a bad one."""
    import pyoxigraph as ox

    try:
        return str(ox.NamedNode(iri))
    except ValueError as err:
        raise InputError(f"{what} {iri!r} is not a valid IRI: {err} (fix it)") from None


def check_plain(value: str, what: str) -> str:
    """Refuse control characters (a newline, a NUL) in a value written into generated files."""
    bad = next((c for c in value if ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0), None)
    if bad is not None:
        raise InputError(f"{what} {value!r} holds the control character {bad!r}; remove it")
    return value


def qname(iri: str) -> str:
    """``skgid:x`` for IRIs in a known namespace with a simple local name, else ``<iri>``."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            local = iri[len(ns) :]
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", local):
                return f"{prefix}:{local}"
    return turtle_iri(iri)


def prefix_block(used: set[str]) -> str:
    return "".join(f"@prefix {p}: <{PREFIXES[p]}> .\n" for p in sorted(used)) + "\n"


def read_text(path: Path) -> str:
    """The file as text: UTF-8, not empty; otherwise one clear InputError naming the place."""
    from spacekg.rdfio import read_file

    raw = read_file(path, "text file")
    if not raw.strip():
        raise InputError(f"{path}: the file is empty (a source needs its text)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        col = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise InputError(
            f"{path}:{line}:{col}: not UTF-8 (byte 0x{raw[err.start]:02x} at offset {err.start})",
            hint="convert the file to UTF-8, e.g. iconv -f cp1252 -t utf-8",
        ) from None


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (:func:`spacekg.rdfio.write_atomic`)."""
    from spacekg.rdfio import write_atomic

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"{path.parent}: cannot create the folder: {err.strerror}") from None
    write_atomic(path, data)


def _existing_labels(root: Path, skip: Path | None = None) -> dict[str, str]:
    """Lower-cased rdfs:label -> IRI of the nodes already described in ``root/data``."""
    from pyoxigraph import NamedNode, RdfFormat, parse

    labels: dict[str, str] = {}
    for path in sorted((root / "data").glob("*.ttl")):
        if skip is not None and path.resolve() == skip.resolve():
            continue  # the file we are about to (re)write
        try:
            for quad in parse(path=str(path), format=RdfFormat.TURTLE):
                if quad.predicate == NamedNode(RDFS_LABEL) and isinstance(quad.subject, NamedNode):
                    labels.setdefault(quad.object.value.strip().lower(), quad.subject.value)
        except (SyntaxError, ValueError, OSError):
            continue  # a broken data file is `spacekg validate`'s business, not ours
    return labels


def _sources_by_sha(root: Path) -> dict[str, str]:
    """skg:sha256 value -> source node IRI, from ``root/data``."""
    from pyoxigraph import NamedNode, RdfFormat, parse

    found: dict[str, str] = {}
    for path in sorted((root / "data").glob("*.ttl")):
        try:
            for quad in parse(path=str(path), format=RdfFormat.TURTLE):
                if quad.predicate == NamedNode(SHA256) and isinstance(quad.subject, NamedNode):
                    found.setdefault(quad.object.value.strip().lower(), quad.subject.value)
        except (SyntaxError, ValueError, OSError):
            continue
    return found


# --------------------------------------------------------------------------- source add


@dataclass(frozen=True)
class SourceAdded:
    """What ``add_source`` did. ``changed`` lists the files written (empty: nothing to do)."""

    source_iri: str
    seed_path: Path
    data_path: Path
    sha256: str
    changed: tuple[Path, ...]


def source_iri_for(stem: str) -> str:
    return f"{ID_NS}source-{slugify(stem, max_words=8)}"


def source_turtle(
    source_iri: str,
    file_name: str,
    sha256: str,
    url: str,
    authors: list[tuple[str, str, bool]],
    publisher: tuple[str, str, bool] | None,
) -> str:
    """The Turtle of a source node. ``authors``/``publisher``: (IRI, name, already described)."""
    used = {"skg", "skgid", "rdfs", "dcterms", "schema"}
    lines = [f"{qname(source_iri)} a skg:SourceDocument ;"]
    lines.append(f"    rdfs:label {turtle_string(f'source text {file_name}')}@en ;")
    creators = ", ".join(qname(iri) for iri, _, _ in sorted(authors))
    if creators:
        lines.append(f"    dcterms:creator {creators} ;")
    if publisher:
        lines.append(f"    dcterms:publisher {qname(publisher[0])} ;")
    lines.append(f"    schema:url {turtle_iri(url, '--url')} ;")
    lines.append(f"    skg:sha256 {turtle_string(sha256)} .")
    blocks = ["\n".join(lines) + "\n"]
    for iri, name, known in sorted(authors):
        if known:
            continue  # reuse the node already in the graph, do not describe it twice
        used.update({"foaf", "prov"})
        blocks.append(
            f"{qname(iri)} a foaf:Person, prov:Person ;\n"
            f"    rdfs:label {turtle_string(name)}@en ;\n"
            f"    foaf:name {turtle_string(name)} .\n"
        )
    if publisher and not publisher[2]:
        used.update({"foaf", "prov"})
        blocks.append(
            f"{qname(publisher[0])} a foaf:Organization, prov:Organization ;\n"
            f"    rdfs:label {turtle_string(publisher[1])}@en ;\n"
            f"    foaf:name {turtle_string(publisher[1])} .\n"
        )
    header = f"# Source node of seeds/{file_name}, written by `spacekg source add`.\n"
    return header + prefix_block(used) + "\n".join(blocks)


def verify_turtle(turtle: bytes, subjects: set[str]) -> None:
    """Parse the Turtle we generated: it must parse and describe only ``subjects`` (a value that
    slipped past the checks cannot add a triple of its own)."""
    import pyoxigraph as ox

    try:
        found = {q.subject.value for q in ox.parse(turtle, ox.RdfFormat.TURTLE)}
    except SyntaxError as err:
        raise InputError(f"a value does not fit into Turtle ({err}); check the options") from None
    if not found <= subjects:
        raise InputError(f"a value would add triples about {sorted(found - subjects)[0]}; refused")


def _existing_root(root: Path | str | None) -> Path:
    """``--root`` must name an existing folder: it is never created."""
    if root is None:
        return bundle_root()
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"--root {root}: no such folder (name an existing checkout)")
    return root


def add_source(
    text_file: Path,
    *,
    url: str,
    authors: list[str],
    publisher: str | None = None,
    root: Path | None = None,
) -> SourceAdded:
    """Copy ``text_file`` into ``root/seeds/`` and write its source node into ``root/data/``.

    People and the publisher are linked to nodes already in the graph when one has the same
    label (case-insensitive); otherwise new nodes ``skgid:<slug-of-name>`` are written. Refuses
    to overwrite a different seed or data file of the same name; the same bytes are a no-op.
    Refuses the graph bundled with spacekg (read-only): a workspace from ``spacekg init`` is.
    """
    from spacekg.project import writable_root

    root = writable_root(_existing_root(root) if root is not None else None)
    text_file = Path(text_file)
    check_plain(text_file.name, "the file name")
    text = read_text(text_file)
    if not re.fullmatch(r"[a-z][a-z0-9+.-]*://[^\s<>\"{}|^`\\]+", url, re.IGNORECASE):
        raise InputError(f"--url {url!r} is not an absolute URL (e.g. https://example.org/a)")
    turtle_iri(url, "--url")
    if not authors:
        raise InputError("at least one --author is needed (the byline of the source)")
    raw = text.encode("utf-8")
    sha = hashlib.sha256(raw).hexdigest()
    seed_path = root / "seeds" / text_file.name
    iri = source_iri_for(text_file.stem)
    data_path = root / "data" / f"{iri[len(ID_NS) :]}.ttl"

    known_sha = _sources_by_sha(root)
    if sha in known_sha and known_sha[sha] != iri:
        raise InputError(
            f"{text_file}: this text is already in the graph as {qname(known_sha[sha])}",
            hint="use that source node instead of adding the text twice",
        )
    labels = _existing_labels(root, skip=data_path)

    def person(name: str, kind: str) -> tuple[str, str, bool]:
        name = " ".join(check_plain(name, f"--{kind}").split())
        if not name:
            raise InputError(f"--{kind} must not be empty")
        existing = labels.get(name.lower())
        if existing:
            return existing, name, True
        return f"{ID_NS}{slugify(name, max_words=8)}", name, False

    author_nodes = sorted({person(a, "author") for a in authors})
    publisher_node = person(publisher, "publisher") if publisher is not None else None
    turtle = source_turtle(iri, text_file.name, sha, url, author_nodes, publisher_node).encode()
    described = (
        {iri} | {a[0] for a in author_nodes} | ({publisher_node[0]} if publisher_node else set())
    )
    verify_turtle(turtle, described)

    if seed_path.exists() and seed_path.read_bytes() != raw:
        raise InputError(
            f"{seed_path}: a different file of that name is already in seeds/",
            hint="rename your file; seeds are never overwritten",
        )
    if data_path.exists() and data_path.read_bytes() != turtle:
        raise InputError(
            f"{data_path}: already exists with other content",
            hint="edit that file by hand, or delete it to write it again",
        )
    changed: list[Path] = []
    if not seed_path.exists():
        atomic_write(seed_path, raw)
        changed.append(seed_path)
    if not data_path.exists():
        atomic_write(data_path, turtle)
        changed.append(data_path)
    from spacekg.curation.workspace import record_source

    if record_source(root, seed_path.name):
        changed.append(root / "spacekg.toml")
    return SourceAdded(iri, seed_path, data_path, sha, tuple(changed))


# --------------------------------------------------------------------------- excerpt


@dataclass(frozen=True)
class Excerpt:
    """A ready evidence span for ``quote`` in ``seed_path``."""

    span_iri: str
    source_iri: str
    seed_path: Path
    quote: str
    start: int
    end: int
    turtle: str


def resolve_source(source: str, root: Path | None = None) -> tuple[Path, str]:
    """SOURCE as the user typed it -> (seed file, source node IRI).

    Accepted: a path to a text file, a file name in ``seeds/``, or the source node as a full IRI
    or ``skgid:`` name (its skg:sha256 picks the seed file). A text without a source node in the
    graph gets the IRI ``spacekg source add`` would give it.
    """
    root = _existing_root(root)
    by_sha = _sources_by_sha(root)
    iri = None
    if source.startswith("skgid:"):
        iri = ID_NS + source[len("skgid:") :]
    elif re.match(r"^<?https?://", source):
        iri = source.strip("<>")
    if iri is not None:
        shas = [sha for sha, node in by_sha.items() if node == iri]
        if not shas:
            raise InputError(f"{source}: no source node with a skg:sha256 in {root / 'data'}")
        for seed in sorted((root / "seeds").glob("*")):
            try:
                if seed.is_file() and hashlib.sha256(seed.read_bytes()).hexdigest() in shas:
                    return seed, iri
            except OSError:
                continue  # an unreadable seed is not the one asked for
        raise InputError(
            f"{source}: no file in {root / 'seeds'} has its sha256 {shas[0]}",
            hint="the seed changed or is missing: restore it, or add it with `spacekg source add`",
        )
    path = Path(source)
    if not path.exists() and (root / "seeds" / source).exists():
        path = root / "seeds" / source
    if not path.is_file():
        raise InputError(
            f"{source}: not a file, a seed in {root / 'seeds'}, or a source IRI",
            hint="pass a path to the text, its name in seeds/, or skgid:<source>",
        )
    from spacekg.rdfio import read_file

    sha = hashlib.sha256(read_file(path, "text file")).hexdigest()
    return path, by_sha.get(sha, source_iri_for(path.stem))


def span_turtle(span_iri: str, source_iri: str, quote: str, start: int, end: int) -> str:
    used = {"skg", "skgid", "oa", "rdfs", "xsd"}
    label = quote if len(quote) <= 60 else quote[:57] + "..."
    body = (
        f"{qname(span_iri)} a skg:EvidenceSpan, oa:SpecificResource ;\n"
        f"    rdfs:label {turtle_string('evidence: ' + label)}@en ;\n"
        f"    oa:hasSource {qname(source_iri)} ;\n"
        f"    oa:hasSelector [ a oa:TextQuoteSelector ;\n"
        f"            oa:exact {turtle_string(quote)} ] ,\n"
        f"        [ a oa:TextPositionSelector ;\n"
        f'            oa:start "{start}"^^xsd:nonNegativeInteger ;\n'
        f'            oa:end "{end}"^^xsd:nonNegativeInteger ] .\n'
    )
    return prefix_block(used) + body


def source_short(source_iri: str) -> str:
    local = source_iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    local = re.sub(r"^(source|article)-", "", local)
    return "-".join(slugify(local).split("-")[:3])


def excerpt(
    source: str, quote: str, *, occurrence: int | None = None, root: Path | None = None
) -> Excerpt:
    """A Turtle evidence span for ``quote`` in SOURCE (see :func:`resolve_source`).

    Not found: InputError with the closest passage. Found several times and no ``occurrence``
    (1-based): InputError listing each occurrence with its context.
    """
    from spacekg.evidence import find_quote

    seed, source_iri = resolve_source(source, root)
    text = read_text(seed)
    if not quote.strip():
        raise InputError("the quote is empty: pass the exact words of the source")
    found = find_quote(text, quote)
    if not found.found:
        c = found.closest
        where = (
            f"closest passage at {seed.name}:{c.line}:{c.column} (offset {c.start}, "
            f"{c.similarity:.0%} alike): {c.text!r}"
            if c
            else "nothing alike"
        )
        raise InputError(
            f"{seed}: quote not found: {quote!r}; {where}",
            hint="copy the words exactly as they are in the file",
        )
    if occurrence is None and found.total > 1:
        places = "; ".join(
            f"#{m.occurrence} at {seed.name}:{m.line}:{m.column} (offset {m.start}): "
            f"{m.context(quote)}"
            for m in found.matches
        )
        raise InputError(
            f"{seed}: quote found {found.total} times: {places}",
            hint="pick one with --occurrence N, or quote more words",
        )
    if occurrence is not None and not 1 <= occurrence <= found.total:
        raise InputError(f"--occurrence {occurrence}: the quote occurs {found.total} time(s)")
    chosen = found.matches[(occurrence or 1) - 1]
    slug = slugify(quote)
    if occurrence is not None and found.total > 1:
        slug += f"-{occurrence}"
    span_iri = f"{ID_NS}span-{source_short(source_iri)}-{slug}"
    turtle = span_turtle(span_iri, source_iri, quote, chosen.start, chosen.end)
    return Excerpt(span_iri, source_iri, seed, quote, chosen.start, chosen.end, turtle)
