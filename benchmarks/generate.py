"""Deterministic synthetic data in the shape of the spacekg ontology, with seeded violations.

The data imitates the seed article's mix, one synthetic "article" at a time: a source node with
its own text (written beside the data), the people who wrote it, states, government
departments, military commands and alliances with members, places, policy documents, events,
reported statements and the authors' claims. Every entity, document, event, statement and claim
has an evidence span whose quote is the exact text between its offsets in the article's text.

About 1% of the nodes carry one seeded shape violation each (see ``VIOLATION_KINDS``); they are
written beside the data as ground truth, one JSON object per violation: focus node, result path
and SHACL constraint component. Everything else conforms to the contract in the brief.

Output for ``generate(size, out_dir)`` (size in triples, e.g. 100_000)::

    out_dir/synthetic.nt        N-Triples (written directly as text)
    out_dir/synthetic.ttl       Turtle (same triples, subject blocks, prefixed names)
    out_dir/violations.json     ground truth: [{"focus", "path", "component", "kind"}, ...]
    out_dir/sources/*.txt       the articles' synthetic texts (ASCII; offsets are code points)
    out_dir/manifest.json       size asked, triples written, node counts, seed, sha256 of files

The same (size, seed) always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

SKG = "https://w3id.org/spacekg/ontology#"
ID = "https://w3id.org/spacekg/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
DCT = "http://purl.org/dc/terms/"
SCHEMA = "http://schema.org/"
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SH = "http://www.w3.org/ns/shacl#"

PREFIXES = {
    "skg": SKG,
    "skgid": ID,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "prov": PROV,
    "oa": OA,
    "dcterms": DCT,
    "schema": SCHEMA,
    "org": ORG,
    "foaf": FOAF,
    "sem": SEM,
    "skos": SKOS,
}

A = RDF + "type"
LABEL = RDFS + "label"

# The stances of the closed scheme skgid:stances. The bundled data defines the real list; the
# generator reads it from there when it can (``bundled_stances``) and falls back to these.
DEFAULT_STANCES = ("critical", "supportive", "neutral")

# kind -> (result path, SHACL constraint component) as the shapes are expected to report it.
VIOLATION_KINDS: dict[str, tuple[str, str]] = {
    "missing-evidence": (SKG + "hasEvidence", SH + "MinCountConstraintComponent"),
    # dates are sh:or ( [sh:datatype xsd:gYear] [... xsd:gYearMonth] [... xsd:date] )
    "date-wrong-datatype": (DCT + "issued", SH + "OrConstraintComponent"),
    "claim-without-attribution": (PROV + "wasAttributedTo", SH + "MinCountConstraintComponent"),
    "statement-without-attribution": (
        PROV + "wasAttributedTo",
        SH + "MinCountConstraintComponent",
    ),
    "span-start-not-before-end": (OA + "start", SH + "LessThanConstraintComponent"),
    "place-of-wrong-class": (SEM + "hasPlace", SH + "ClassConstraintComponent"),
}

SIZES = {"1k": 1_000, "2k": 2_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}

GENERATOR_VERSION = 2  # bump when the output changes, so cached data sets are regenerated
VIOLATION_RATE = 0.01  # share of all subject nodes (spans and selectors included) violated
# Violations are seeded on documents, events, statements and claims (or on their span), which
# are about a sixth of all subject nodes; the per-candidate chance is scaled to match.
_CANDIDATE_SHARE = 1 / 6
_SPAN_KIND = "span-start-not-before-end"

EVENT_CLASSES = (
    "Summit",
    "Announcement",
    "Negotiation",
    "Exercise",
    "TrainingCourse",
    "DocumentRelease",
)
PUBLISHER = ID + "bench-publisher"
DOC_CLASSES = ("Framework", "Accord", "Agreement")
TOPIC_WORDS = (
    "space situational awareness",
    "commercial space capabilities",
    "supply-chain resilience",
    "accountability standards",
    "space governance",
    "space resources",
    "space security",
    "peaceful use of outer space",
)


def parse_size(text: str) -> int:
    """'10k' -> 10000, '1m' -> 1000000, '2500' -> 2500."""
    t = text.strip().lower()
    if t in SIZES:
        return SIZES[t]
    mult = 1
    if t.endswith("k"):
        mult, t = 1_000, t[:-1]
    elif t.endswith("m"):
        mult, t = 1_000_000, t[:-1]
    try:
        value = int(float(t) * mult)
    except ValueError:
        raise ValueError(f"not a size: {text!r} (use e.g. 10k, 100k, 1m or a number)") from None
    if value <= 0:
        raise ValueError(f"size must be positive: {text!r}")
    return value


def size_name(n: int) -> str:
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


# --- terms -----------------------------------------------------------------------------------


def iri(value: str) -> str:
    return f"<{value}>"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def lit(text: str, datatype: str | None = None, lang: str | None = None) -> str:
    body = f'"{_escape(text)}"'
    if lang:
        return f"{body}@{lang}"
    if datatype:
        return f"{body}^^<{datatype}>"
    return body


def en(text: str) -> str:
    return lit(text, lang="en")


def nonneg(n: int) -> str:
    return lit(str(n), XSD + "nonNegativeInteger")


def _turtle_term(term: str) -> str:
    """Abbreviate an N-Triples term for Turtle (prefixed names, 'a' is handled by the caller)."""
    if term.startswith("<"):
        value = term[1:-1]
        for prefix, ns in PREFIXES.items():
            if value.startswith(ns):
                local = value[len(ns) :]
                if local and all(c.isalnum() or c in "-_" for c in local) and local[0].isalpha():
                    return f"{prefix}:{local}"
        return term
    if term.endswith(">") and "^^<" in term:
        body, dt = term.rsplit("^^", 1)
        return f"{body}^^{_turtle_term(dt)}"
    return term


# --- the generator ----------------------------------------------------------------------------

Block = tuple[str, list[tuple[str, str]]]  # subject, [(predicate, object)] in N-Triples terms


@dataclass
class _Article:
    """The text of one synthetic article, built sentence by sentence with offsets."""

    parts: list[str] = field(default_factory=list)
    length: int = 0

    def add(self, sentence: str) -> tuple[int, int]:
        if self.parts:
            self.parts.append(" ")
            self.length += 1
        start = self.length
        self.parts.append(sentence)
        self.length += len(sentence)
        return start, self.length

    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class Stats:
    triples: int = 0
    nodes: dict[str, int] = field(default_factory=dict)
    violations: list[dict[str, str]] = field(default_factory=list)

    def count(self, kind: str) -> None:
        self.nodes[kind] = self.nodes.get(kind, 0) + 1


class Generator:
    """Yields subject blocks until ``target`` triples have been produced."""

    def __init__(
        self,
        target: int,
        seed: int = 20260101,
        stances: tuple[str, ...] | None = None,
        violation_rate: float = VIOLATION_RATE,
    ) -> None:
        self.target = target
        self.rng = random.Random(seed)
        self.seed = seed
        self.stances = (
            tuple(stances) if stances else tuple(ID + f"stance-{s}" for s in DEFAULT_STANCES)
        )
        self.rate = violation_rate / _CANDIDATE_SHARE
        self.stats = Stats()
        self.texts: list[tuple[str, str]] = []  # (file name, text)
        self.states: list[tuple[str, str]] = []  # (iri, label)
        self.actors: list[tuple[str, str]] = []
        self.persons: list[tuple[str, str]] = []
        self.places: list[tuple[str, str]] = []
        self.topics: list[tuple[str, str]] = []
        self.documents: list[tuple[str, str]] = []
        self.n_span = 0
        self._pending: list[Block] = []

    # violations -------------------------------------------------------------------------------
    def _violate(self, kinds: tuple[str, ...]) -> str | None:
        """Maybe pick one of ``kinds`` (or a broken span) for the next candidate node."""
        if self.rng.random() < self.rate:
            return self.rng.choice((*kinds, _SPAN_KIND))
        return None

    def _record(self, focus: str, kind: str) -> None:
        path, component = VIOLATION_KINDS[kind]
        self.stats.violations.append(
            {"focus": focus, "path": path, "component": component, "kind": kind}
        )

    # building blocks ---------------------------------------------------------------------------
    def _emit(self, subject: str, pairs: list[tuple[str, str]], kind: str) -> None:
        self._pending.append((iri(subject), pairs))
        self.stats.triples += len(pairs)
        self.stats.count(kind)

    def _span(
        self, art: _Article, source: str, sentence: str, label_of: str, broken: bool = False
    ) -> str:
        """A span on ``source`` quoting ``sentence`` (appended to the article); returns its IRI."""
        start, end = art.add(sentence)
        self.n_span += 1
        span = ID + f"bench-span-{self.n_span}"
        quote, pos = span + "-quote", span + "-position"
        self._emit(
            span,
            [
                (A, iri(SKG + "EvidenceSpan")),
                (LABEL, en(f"Evidence for {label_of}")),
                (OA + "hasSource", iri(source)),
                (OA + "hasSelector", iri(quote)),
                (OA + "hasSelector", iri(pos)),
            ],
            "EvidenceSpan",
        )
        self._emit(
            quote, [(A, iri(OA + "TextQuoteSelector")), (OA + "exact", lit(sentence))], "Selector"
        )
        if broken:
            start, end = end, start
            self._record(pos, _SPAN_KIND)
        self._emit(
            pos,
            [
                (A, iri(OA + "TextPositionSelector")),
                (OA + "start", nonneg(start)),
                (OA + "end", nonneg(end)),
            ],
            "Selector",
        )
        return span

    def _node(
        self,
        art: _Article,
        source: str,
        subject: str,
        types: list[str],
        label: str,
        sentence: str,
        pairs: list[tuple[str, str]],
        kind: str,
        violation: str | None = None,
    ) -> None:
        span = self._span(art, source, sentence, label, broken=violation == _SPAN_KIND)
        evidence = violation != "missing-evidence"
        head = [(A, iri(t)) for t in types] + [(LABEL, en(label))]
        tail = [(SKG + "hasEvidence", iri(span))] if evidence else []
        self._emit(subject, head + pairs + tail, kind)

    # one article -------------------------------------------------------------------------------
    def article(self, i: int) -> None:
        rng = self.rng
        art = _Article()
        source = ID + f"bench-article-{i}"
        fname = f"bench-article-{i}.txt"

        # authors: a new person now and then, otherwise earlier ones
        new_person: tuple[str, str] | None = None
        if not self.persons or rng.random() < 0.5:
            n = len(self.persons) + 1
            new_person = (ID + f"bench-person-{n}", f"Author {n}")
            self.persons.append(new_person)
        authors = [new_person] if new_person else []
        others = [p for p in self.persons if p not in authors]
        if others:
            authors.append(rng.choice(others))
        if not authors:  # pragma: no cover
            authors = [self.persons[0]]
        art.add("By " + " and ".join(name for _, name in authors))
        if new_person:
            self._node(
                art, source, new_person[0], [FOAF + "Person", PROV + "Person"], new_person[1],
                f"{new_person[1]} writes about space policy.", [], "Person",
            )  # fmt: skip

        # a topic every few articles
        if not self.topics or rng.random() < 0.1:
            n = len(self.topics) + 1
            words = TOPIC_WORDS[(n - 1) % len(TOPIC_WORDS)]
            t = (ID + f"bench-topic-{n}", f"{words} {n}")
            self.topics.append(t)
            self._node(
                art,
                source,
                t[0],
                [SKG + "Topic"],
                t[1],
                f"The article discusses {t[1]}.",
                [(SKOS + "prefLabel", en(t[1])), (SKOS + "inScheme", iri(ID + "topics"))],
                "Topic",
            )

        # actors: a state, a department of a state, a command or an alliance
        n = len(self.states) + 1
        state = (ID + f"bench-state-{n}", f"State {n}")
        self.states.append(state)
        self.actors.append(state)
        self._node(
            art, source, state[0], [SKG + "State"], state[1],
            f"{state[1]} is a spacefaring state.", [], "State",
        )  # fmt: skip
        parent = rng.choice(self.states)
        dept = (ID + f"bench-department-{i}", f"Department of Space Affairs {i}")
        self.actors.append(dept)
        self._node(
            art, source, dept[0], [SKG + "GovernmentDepartment"], dept[1],
            f"The {dept[1]} belongs to {parent[1]}.",
            [(ORG + "subOrganizationOf", iri(parent[0]))], "GovernmentDepartment",
        )  # fmt: skip
        if i % 2:
            cmd = (ID + f"bench-command-{i}", f"Space Command {i}")
            self._node(
                art, source, cmd[0], [SKG + "MilitaryCommand"], cmd[1],
                f"{cmd[1]} of {parent[1]} plans joint training.",
                [(ORG + "subOrganizationOf", iri(parent[0]))], "MilitaryCommand",
            )  # fmt: skip
        else:
            cmd = (ID + f"bench-alliance-{i}", f"Space Alliance {i}")
            members = rng.sample(self.states, min(3, len(self.states)))
            self._node(
                art, source, cmd[0], [SKG + "Alliance"], cmd[1],
                f"{cmd[1]} brings together " + ", ".join(m[1] for m in members) + ".",
                [(ORG + "hasMember", iri(m[0])) for m in members], "Alliance",
            )  # fmt: skip
        self.actors.append(cmd)

        # a place
        place = (ID + f"bench-place-{i}", f"City {i}" if i % 3 else f"Space Base {i}")
        self.places.append(place)
        self._node(
            art, source, place[0], [SKG + ("City" if i % 3 else "MilitaryBase")], place[1],
            f"{place[1]} hosts meetings.", [], "Place",
        )  # fmt: skip

        # documents
        for k in range(2):
            d = (ID + f"bench-document-{i}-{k}", f"Space Framework {i}.{k}")
            issuer = rng.choice(self.actors)
            topic = rng.choice(self.topics)
            year = 2000 + rng.randrange(26)
            kind = self._violate(("missing-evidence", "date-wrong-datatype"))
            date = lit(str(year), XSD + "gYear")
            if kind == "date-wrong-datatype":
                date = lit(f"in {year}")
            cls = DOC_CLASSES[(i + k) % len(DOC_CLASSES)]
            self._node(
                art, source, d[0], [SKG + cls], d[1],
                f"{issuer[1]} issued the {d[1]} on {topic[1]} in {year}.",
                [
                    (SKG + "issuedBy", iri(issuer[0])),
                    (DCT + "issued", date),
                    (SKG + "hasTopic", iri(topic[0])),
                ],
                "Document", violation=kind,
            )  # fmt: skip
            if kind and kind != _SPAN_KIND:
                self._record(d[0], kind)
            self.documents.append(d)

        # events
        for k in range(3):
            e = (ID + f"bench-event-{i}-{k}", f"Space Meeting {i}.{k}")
            cls = EVENT_CLASSES[(i + k) % len(EVENT_CLASSES)]
            actors = rng.sample(self.actors, min(2, len(self.actors)))
            where = place
            kind = self._violate(("missing-evidence", "place-of-wrong-class"))
            if kind == "place-of-wrong-class":
                where = actors[0]
            year, month, day = (
                2000 + rng.randrange(26),
                1 + rng.randrange(12),
                1 + rng.randrange(28),
            )
            pairs = [(SEM + "hasActor", iri(actors[0][0]))]
            pairs += [(SKG + "hasParticipant", iri(a[0])) for a in actors[1:]]
            pairs += [
                (SEM + "hasPlace", iri(where[0])),
                (SEM + "hasTimeStamp", lit(f"{year}-{month:02d}-{day:02d}", XSD + "date")),
                (SKG + "concernsDocument", iri(rng.choice(self.documents)[0])),
                (SKG + "hasTopic", iri(rng.choice(self.topics)[0])),
            ]
            self._node(
                art, source, e[0], [SKG + cls], e[1],
                f"The {e[1]} took place in {place[1]} with {actors[0][1]}.",
                pairs, "Event", violation=kind,
            )  # fmt: skip
            if kind and kind != _SPAN_KIND:
                self._record(e[0], kind)

        # reported statements
        for k in range(2):
            s = (ID + f"bench-statement-{i}-{k}", f"Statement {i}.{k}")
            speaker = rng.choice(self.actors)
            words = f"we will promote cooperation on {rng.choice(self.topics)[1]}"
            kind = self._violate(("missing-evidence", "statement-without-attribution"))
            pairs = [] if kind == "statement-without-attribution" else [
                (PROV + "wasAttributedTo", iri(speaker[0]))
            ]  # fmt: skip
            pairs += [(SKG + "quotedText", lit(words))]
            self._node(
                art, source, s[0], [SKG + "ReportedStatement"], s[1],
                f'{speaker[1]} declared that "{words}".',
                pairs, "ReportedStatement", violation=kind,
            )  # fmt: skip
            if kind and kind != _SPAN_KIND:
                self._record(s[0], kind)

        # the authors' claims
        for k in range(3):
            c = (ID + f"bench-claim-{i}-{k}", f"Claim {i}.{k}")
            target = rng.choice(self.actors)
            topic = rng.choice(self.topics)
            kind = self._violate(("missing-evidence", "claim-without-attribution"))
            pairs = [] if kind == "claim-without-attribution" else [
                (PROV + "wasAttributedTo", iri(a[0])) for a in authors
            ]  # fmt: skip
            pairs += [
                (SKG + "hasStance", iri(rng.choice(self.stances))),
                (SKG + "hasTarget", iri(target[0])),
                (SKG + "hasTopic", iri(topic[0])),
            ]
            self._node(
                art, source, c[0], [SKG + "AuthorClaim"], c[1],
                f"The authors argue that {target[1]} seeks dominance in {topic[1]}.",
                pairs, "AuthorClaim", violation=kind,
            )  # fmt: skip
            if kind and kind != _SPAN_KIND:
                self._record(c[0], kind)

        # the source node, with the sha256 of its text
        text = art.text()
        self.texts.append((fname, text))
        self._emit(
            source,
            [
                (A, iri(SKG + "SourceDocument")),
                (A, iri(SCHEMA + "OpinionNewsArticle")),
                (LABEL, en(f"Synthetic article {i}")),
                *[(DCT + "creator", iri(a[0])) for a in authors],
                (DCT + "publisher", iri(PUBLISHER)),
                (SCHEMA + "url", iri(f"http://example.org/bench/{fname}")),
                (SKG + "sha256", lit(hashlib.sha256(text.encode("ascii")).hexdigest())),
            ],
            "SourceDocument",
        )

    def blocks(self) -> Iterator[Block]:
        self._emit(
            PUBLISHER,
            [(A, iri(SCHEMA + "NewsMediaOrganization")), (LABEL, en("Synthetic Press"))],
            "Publisher",
        )
        i = 0
        while self.stats.triples < self.target:
            i += 1
            self.article(i)
            yield from self._pending
            self._pending = []


def bundled_stances() -> tuple[str, ...] | None:
    """The stance IRIs of the bundled data (members of skgid:stances), if it defines any."""
    try:
        from spacekg.project import data_dir
    except ImportError:  # pragma: no cover
        return None
    found: set[str] = set()
    ddir = data_dir()
    files = sorted(ddir.glob("*.ttl")) if ddir.is_dir() else []
    if not files:
        return None
    import rdflib

    g = rdflib.Graph()
    for f in files:
        try:
            g.parse(f, format="turtle")
        except Exception:  # a peer's file mid-edit: fall back to the defaults
            return None
    stance_cls = rdflib.URIRef(SKG + "Stance")
    scheme = rdflib.URIRef(ID + "stances")
    found |= {str(s) for s in g.subjects(rdflib.RDF.type, stance_cls)}
    found |= {str(s) for s in g.subjects(rdflib.SKOS.inScheme, scheme)}
    return tuple(sorted(found)) or None


def _write_ttl_block(out: TextIO, subject: str, pairs: list[tuple[str, str]]) -> None:
    out.write(_turtle_term(subject))
    sep = " "
    for p, o in pairs:
        pt = "a" if p == A else _turtle_term(iri(p))
        out.write(f"{sep}{pt} {_turtle_term(o)}")
        sep = " ;\n    "
    out.write(" .\n")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def generate(
    size: int,
    out_dir: Path,
    seed: int = 20260101,
    stances: tuple[str, ...] | None = None,
) -> dict[str, object]:
    """Write the data set of about ``size`` triples into ``out_dir``; return its manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    gen = Generator(size, seed=seed, stances=stances)
    nt_path, ttl_path = out_dir / "synthetic.nt", out_dir / "synthetic.ttl"
    with (
        nt_path.open("w", encoding="ascii", newline="\n") as nt,
        ttl_path.open("w", encoding="ascii", newline="\n") as ttl,
    ):
        ttl.write("".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()) + "\n")
        for subject, pairs in gen.blocks():
            nt.write("".join(f"{subject} <{p}> {o} .\n" for p, o in pairs))
            _write_ttl_block(ttl, subject, pairs)
    src_dir = out_dir / "sources"
    src_dir.mkdir(exist_ok=True)
    for fname, text in gen.texts:
        (src_dir / fname).write_text(text, encoding="ascii", newline="")
    violations = sorted(gen.stats.violations, key=lambda v: (v["focus"], v["path"]))
    (out_dir / "violations.json").write_text(json.dumps(violations, indent=1) + "\n")
    manifest: dict[str, object] = {
        "generator": GENERATOR_VERSION,
        "size_requested": size,
        "triples": gen.stats.triples,
        "seed": seed,
        "articles": len(gen.texts),
        "nodes": dict(sorted(gen.stats.nodes.items())),
        "violations": len(violations),
        "violation_kinds": {
            k: sum(1 for v in violations if v["kind"] == k) for k in sorted(VIOLATION_KINDS)
        },
        "stances": list(gen.stances),
        "files": {p.name: _sha256(p) for p in (nt_path, ttl_path)},
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def ensure(size: int, root: Path, seed: int = 20260101) -> Path:
    """The data set of ``size`` under ``root/<size>``, generated unless an identical one exists."""
    out = root / size_name(size)
    stances = bundled_stances()
    man = out / "manifest.json"
    if man.is_file():
        try:
            old = json.loads(man.read_text())
        except ValueError:
            old = {}
        if (
            old.get("generator") == GENERATOR_VERSION
            and old.get("seed") == seed
            and old.get("size_requested") == size
            and old.get("stances") == list(stances or [ID + f"stance-{s}" for s in DEFAULT_STANCES])
            and (out / "synthetic.ttl").is_file()
        ):
            return out
    generate(size, out, seed=seed, stances=stances)
    return out
