"""Throw a fresh set of hostile inputs at every command and count what must never happen.

    python scripts/hostile_run.py [--seed N]

Files, queries, paths, servers and kills, generated anew (a different seed gives different
inputs), each run as a real ``spacekg`` subprocess next to a counting HTTP server on 127.0.0.1.
Counted: tracebacks, hangs past the timeout, crashes by signal, network requests without
``--allow-network``, files replaced or deleted that spacekg did not create, half-loaded graphs
visible, exit 5. Prints one line per case that broke a rule, then the totals.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from hostile_server import CountingServer

REPO = Path(__file__).resolve().parents[1]
BUNDLE = REPO / "tests" / "fixtures" / "cli" / "bundle"
TIMEOUT = 60  # seconds: the documented query timeout used here is 5 s; past 60 s is a hang


def rdf_cases(rng: random.Random, url: str) -> dict[str, bytes]:
    """Hostile RDF files (name -> bytes)."""
    n = rng.randint(2000, 6000)
    lol = "".join(f'<!ENTITY e{i} "{("&e" + str(i - 1) + ";") * 8}">' for i in range(1, 8))
    return {
        "bom.trig": b"\xef\xbb\xbf<urn:g> { <urn:a> <urn:p> <urn:o> . }\n",
        "bom.nq": b"\xef\xbb\xbf<urn:a> <urn:p> <urn:o> <urn:g> .\n",
        "deep-list.ttl": b"<urn:a> <urn:p> " + b"(" * n + b")" * n + b" .\n",
        "deep-bnode.nt.ttl": b"<urn:a> <urn:p> " + b"[<urn:q> " * n + b"1" + b"]" * n + b".\n",
        "iri-tab.nt": b"<urn:a> <urn:p> <http://e.org/a\tb> .\n",
        "iri-quote.ttl": b'<urn:a> <urn:p> <http://e.org/a"b> .\n',
        "ill-typed.ttl": b'<urn:a> <urn:p> "x"^^<http://www.w3.org/2001/XMLSchema#date> .\n',
        "ill-bool.nt": b'<urn:a> <urn:p> "maybe"^^<http://www.w3.org/2001/XMLSchema#boolean> .\n',
        "nul.ttl": b'<urn:a> <urn:p> "a\x00b" .\n',
        "latin1.ttl": b'<urn:a> <urn:p> "caf\xe9" .\n',
        "empty.nt": b"   \n\n",
        "huge-literal.nt": b'<urn:a> <urn:p> "'
        + b"z" * ((16 << 20) + rng.randint(1, 999))
        + b'" .\n',
        "long-line.nt": b" ".join(b"<urn:s> <urn:p> <urn:o%d> ." % i for i in range(n * 10)),
        "lol.rdf": (
            f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e0 "ha">{lol}]>'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:ex="http://e.org/"><rdf:Description rdf:about="http://e.org/a">'
            "<ex:p>&e7;</ex:p></rdf:Description></rdf:RDF>"
        ).encode(),
        "wide-entity.rdf": (
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY w "' + "w" * 5000 + '">]>'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:ex="http://e.org/"><rdf:Description rdf:about="http://e.org/a"><ex:p>'
            + "&w;" * 500
            + "</ex:p></rdf:Description></rdf:RDF>"
        ).encode(),
        "xxe-param.rdf": (
            f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "{url}/p.dtd"> %p;]>'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
        ).encode(),
        "ctx-import.jsonld": (
            f'{{"@context": {{"@import": "{url}/c.jsonld"}}, "@id": "urn:a", "urn:p": "v"}}'
        ).encode(),
        "ctx-list.jsonld": f'{{"@context": [{{}}, "{url}/c2"], "@id": "urn:a"}}'.encode(),
        "imports.owl": (
            '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            ' xmlns:owl="http://www.w3.org/2002/07/owl#"><owl:Ontology rdf:about="urn:o">'
            f'<owl:imports rdf:resource="{url}/o.owl"/></owl:Ontology></rdf:RDF>'
        ).encode(),
        "junk.ntriples": bytes(rng.randrange(256) for _ in range(3000)),
    }


def query_cases(rng: random.Random, url: str) -> dict[str, str]:
    n = rng.randint(3000, 9000)
    return {
        "from-construct.rq": f"CONSTRUCT {{ ?s ?p ?o }} FROM <{url}/g.ttl> WHERE {{ ?s ?p ?o }}",
        "from-named-ask.rq": f"ASK FROM NAMED <{url}/n.ttl> {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "service-lower.rq": f"select * where {{ service   <{url}/sparql> {{ ?s ?p ?o }} }}",
        "service-var.rq": f"SELECT * WHERE {{ BIND(<{url}/x> AS ?u) SERVICE ?u {{ ?s ?p ?o }} }}",
        "load-silent.rq": f"LOAD SILENT <{url}/x.ttl> INTO GRAPH <urn:g>",
        "optional-chain.rq": "SELECT * WHERE { ?s ?p ?o "
        + "OPTIONAL { ?s ?p ?o " * n
        + "}" * n
        + " }",
        "bracket-flood.rq": "SELECT * WHERE { ?s ?p " + "[ ?p " * n + "?o" + " ]" * n + " }",
        "minus-union.rq": "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * (n * 2)) + " }",
        "not-exists.rq": "SELECT * WHERE { ?s ?p ?o FILTER(" + "!(" * n + "true" + ")" * n + ") }",
        "cartesian.rq": "SELECT (COUNT(*) AS ?n) WHERE "
        "{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
        "garbage.rq": "".join(rng.choice("{}()<>?\"'#\\ SELECT") for _ in range(4000)),
    }


def shapes_cases(rng: random.Random) -> dict[str, str]:
    """Shapes files that parse as Turtle but are not well-formed shapes graphs (name -> text):
    the fixtures of tests/fixtures/bad-shapes, and values generated anew."""
    cases = {p.name: p.read_text() for p in (REPO / "tests" / "fixtures" / "bad-shapes").glob("*")}
    head = "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <urn:ex:> .\n"
    prop = "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; {} ] .\n"
    junk = "".join(rng.choice("([{+*?\\^$|.a-z0-9") for _ in range(rng.randint(1, 12)))
    number = rng.choice(["-1.5", '"x"', "1e3", '"+"', "true", "<urn:x>", '"1"^^ex:t'])
    for param in ("minCount", "maxCount", "minLength", "maxLength"):
        cases[f"gen-{param}.ttl"] = head + prop.format(f"sh:{param} {number}")
    cases["gen-pattern.ttl"] = head + prop.format(f"sh:pattern {junk!r}".replace("'", '"'))
    cases["gen-in.ttl"] = head + prop.format(rng.choice(["sh:in ex:x", 'sh:in "x"', "sh:in []"]))
    return cases


class Tally:
    def __init__(self) -> None:
        self.counts = {
            "cases": 0,
            "tracebacks": 0,
            "hangs": 0,
            "signal crashes": 0,
            "network requests": 0,
            "files replaced or deleted": 0,
            "half-loaded graphs visible": 0,
            "exit 5": 0,
        }

    def bad(self, what: str, case: str, detail: str = "") -> None:
        self.counts[what] += 1
        print(f"BROKEN {what}: {case} {detail}".rstrip())


def run(tally: Tally, case: str, args: list[str], env: dict[str, str], **kw: object) -> int:
    tally.counts["cases"] += 1
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "spacekg", *args],
            capture_output=True,
            env=env,
            timeout=TIMEOUT,
            **kw,  # type: ignore[arg-type]
        )
    except subprocess.TimeoutExpired:
        tally.bad("hangs", case)
        return -999
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode < 0:
        tally.bad("signal crashes", case, f"signal {-proc.returncode}")
    if "Traceback" in err:
        tally.bad("tracebacks", case, err.splitlines()[-1][:120] if err else "")
    if proc.returncode == 5:
        tally.bad("exit 5", case, err.strip()[:160])
    return proc.returncode


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p): (p.lstat().st_mode, p.lstat().st_ino)
        for p in folder.rglob("*")
        if not p.is_relative_to(folder / "spacekg-made")
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=int(time.time()))
    seed = parser.parse_args().seed
    rng = random.Random(seed)
    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp, CountingServer() as server:
        work = Path(tmp)
        home = work / "bundle"
        shutil.copytree(BUNDLE, home)
        env = {**os.environ, "SPACEKG_HOME": str(home), "SPACEKG_CACHE_DIR": str(work / "cache")}
        env.pop("SPACEKG_TIMEOUT", None)
        run(tally, "warm the cache", ["query", "run", "summits"], env)
        user = work / "users-files"
        user.mkdir()
        (user / "graph-keep.nq").write_text("mine")
        os.mkfifo(user / "a-fifo")
        (user / "link").symlink_to("link-target.nq")  # -o link: the target is the named output
        before = snapshot(user)
        files = work / "files"
        files.mkdir()
        for name, body in rdf_cases(rng, server.url).items():
            f = files / name
            f.write_bytes(body)
            for args in (["validate", str(f)], ["diff", str(f), str(f)]):
                run(tally, f"{args[0]} {name}", args, env)
            store = work / "spacekg-made" / f"store-{name}"
            run(tally, f"load {name}", ["load", str(f), "--store", str(store), "--graph", "urn:g"],
                env)  # fmt: skip
        queries = work / "queries"
        queries.mkdir()
        for name, text in query_cases(rng, server.url).items():
            q = queries / name
            q.write_text(text + "\n")
            for engine in ("oxigraph", "rdflib"):
                args = ["query", "run", str(q), "--engine", engine, "--timeout", "5"]
                run(tally, f"query {name} {engine}", args, env)
        checks = home / "queries" / "checks" / "zz-hostile.rq"
        checks.write_text(query_cases(rng, server.url)["bracket-flood.rq"] + "\n")
        run(tally, "check with a hostile check query", ["check"], env)
        checks.unlink()
        # paths: outputs at the user's special files, caches at odd places, odd roots
        for target in ("a-fifo", "link", "graph-keep.nq"):
            if target == "graph-keep.nq":
                continue  # a regular file the user names with -o is theirs to replace
            run(tally, f"export -o {target}", ["export", "-o", str(user / target)], env)
        for cache in (user / "a-fifo", user / "graph-keep.nq", user):
            run(tally, f"query with cache {cache.name}", ["query", "run", "summits"],
                {**env, "SPACEKG_CACHE_DIR": str(cache)})  # fmt: skip
        seed_text = work / "text.txt"
        seed_text.write_text("some words of a source\n")
        for url in ("https://e.org/x\r", "https://e.org/<x>", "javascript:alert(1)"):
            run(tally, f"source add --url {url!r}",
                ["source", "add", str(seed_text), "--url", url, "--author", "A", "--root",
                 str(work / "nowhere")], env)  # fmt: skip
        run(tally, "excerpt of a device", ["excerpt", "/dev/zero", "x"], env)
        run(tally, "validate a device", ["validate", "/dev/zero.ttl"], env)
        run(tally, "excerpt of an EIO file", ["excerpt", "/proc/self/mem", "x"], env)
        run(tally, "source add of an EIO file",
            ["source", "add", "/proc/self/mem", "--url", "https://e.org/a", "--author", "A"],
            env)  # fmt: skip
        # shapes files that parse but that no engine can run
        shapes = work / "shapes"
        shapes.mkdir()
        data = REPO / "tests" / "fixtures" / "bad-shapes-data.ttl"
        for name, body in shapes_cases(rng).items():
            f = shapes / name
            f.write_text(body)
            for engine in ("auto", "pyshacl"):
                args = ["validate", str(data), "--shapes", str(f), "--engine", engine]
                run(tally, f"validate --shapes {name} --engine {engine}", args, env)
        unasked = list(server.requests)  # everything so far: no command named this server
        # servers that lie (named with --endpoint: their requests are asked for)
        for body in (b"null", b'{"head": {}, "results": []}', b'{"boolean": "x"}', b"\xff\xfe"):
            server.answer = ("application/sparql-results+json", body)
            run(tally, f"lying server {body[:20]!r}",
                ["query", "run", "summits", "--endpoint", server.url], env)  # fmt: skip
        server.answer = ("text/turtle", b"<a> <b> " + b"[" * 5000)
        run(tally, "lying server turtle", ["query", "run", "summits", "--endpoint", server.url],
            env)  # fmt: skip
        # kills: SIGINT mid-query, SIGKILL mid-replace
        cart = queries / "cartesian.rq"
        proc = subprocess.Popen([sys.executable, "-m", "spacekg", "query", "run", str(cart)],
                                env=env, stderr=subprocess.PIPE)  # fmt: skip
        time.sleep(rng.uniform(1.5, 3.0))
        proc.send_signal(signal.SIGINT)
        try:
            rc = proc.wait(timeout=5)
            tally.counts["cases"] += 1
            if rc != 130:
                tally.bad("hangs", "Ctrl-C", f"exit {rc}")
        except subprocess.TimeoutExpired:
            proc.kill()
            tally.bad("hangs", "Ctrl-C did not end the query within 5 s")
        big = work / "big.nt"
        big.write_text("".join(f"<urn:s{i}> <urn:p> <urn:o{i}> .\n" for i in range(300_000)))
        store = work / "spacekg-made" / "kill-store"
        run(tally, "load big", ["load", str(big), "--store", str(store), "--graph", "urn:g"], env)
        for _ in range(3):
            proc = subprocess.Popen(
                [sys.executable, "-m", "spacekg", "load", str(big), "--store", str(store),
                 "--graph", "urn:g", "--replace"],
                env=env, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            time.sleep(rng.uniform(1.0, 4.0))
            proc.kill()
            proc.wait()
            count_q = work / "count.rq"
            count_q.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n")
            out = subprocess.run(
                [sys.executable, "-m", "spacekg", "query", "run", str(count_q), "--store",
                 str(store), "-f", "csv"], capture_output=True, env=env, timeout=TIMEOUT,
            )  # fmt: skip
            tally.counts["cases"] += 1
            lines = out.stdout.decode().split()
            if len(lines) < 2 or lines[1] != "300000":
                tally.bad("half-loaded graphs visible", "kill -9 during load --replace",
                          out.stdout.decode()[:80] + out.stderr.decode()[:120])  # fmt: skip
        after = snapshot(user)
        for path, ident in before.items():
            if after.get(path) != ident:
                tally.bad("files replaced or deleted", path)
        if not (user / "graph-keep.nq").is_file() or (user / "graph-keep.nq").read_text() != "mine":
            tally.bad("files replaced or deleted", "graph-keep.nq content")
        for method, path in unasked:
            tally.bad("network requests", f"{method} {path}")
    print(f"seed {seed}: " + ", ".join(f"{v} {k}" for k, v in tally.counts.items()))
    return 1 if any(v for k, v in tally.counts.items() if k != "cases") else 0


if __name__ == "__main__":
    sys.exit(main())
