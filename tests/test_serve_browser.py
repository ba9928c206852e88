"""The pages of ``spacekg serve`` in a real headless Chromium (Debian's, driven by Playwright):
the catalogue, a stored query run from its form with a parameter, a row followed to its
entity, the entity's words highlighted at their offsets, the ontology page and the SPARQL box.
A screenshot of each page is kept in build/screenshots/. Each page is checked for labels,
colour contrast and keyboard use.

Skipped with a reason when Chromium or Playwright is missing, unless SPACEKG_REQUIRE_BROWSER
is set (CI sets it), then it fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serve_utils import Server, running_server

pytestmark = [pytest.mark.server, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[1] / "build" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SKGID = "https://w3id.org/spacekg/id/"


def _missing(reason: str) -> None:
    if os.environ.get("SPACEKG_REQUIRE_BROWSER"):
        pytest.fail(f"SPACEKG_REQUIRE_BROWSER is set but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from running_server(tmp_path_factory)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).is_file() or shutil.which("chromium")):
        _missing("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python is not installed (pip install playwright)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=server.url)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    pg = context.new_page()
    yield pg
    off_site = [u for u in requests if not u.startswith(server.url)]
    assert not off_site, f"the page fetched from elsewhere: {off_site}"  # no CDN, no network
    context.close()


def shot(page: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


# --- accessibility checks, run in the page ----------------------------------------------------

_A11Y = """() => {
  const problems = [];
  const name = (el) => {
    if (el.getAttribute('aria-label')) return el.getAttribute('aria-label');
    const by = el.getAttribute('aria-labelledby');
    if (by) return by.split(' ').map(i => document.getElementById(i)?.textContent || '').join();
    if (el.id) {
      const l = document.querySelector(`label[for="${el.id}"]`);
      if (l) return l.textContent;
    }
    const wrap = el.closest('label'); if (wrap) return wrap.textContent;
    return el.textContent || el.value || '';
  };
  const fields = 'input:not([type=hidden]), textarea, select, button';
  for (const el of document.querySelectorAll(fields)) {
    if (!name(el).trim()) problems.push(`no label: ${el.outerHTML.slice(0, 80)}`);
  }
  for (const a of document.querySelectorAll('a')) {
    if (!name(a).trim() && !a.querySelector('svg, img'))
      problems.push(`empty link: ${a.outerHTML.slice(0, 80)}`);
  }
  for (const svg of document.querySelectorAll('svg')) {
    if (!svg.querySelector('title')) problems.push('svg without a title');
  }
  if (!document.documentElement.lang) problems.push('no lang on <html>');
  if (document.querySelectorAll('h1').length !== 1) problems.push('not exactly one h1');
  // contrast of every text node's element against its effective background (WCAG 2 AA)
  const rgb = (s) => { const m = s.match(/[\\d.]+/g) || []; return m.map(Number); };
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  let checked = 0;
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el || seen.has(el) || el.closest('svg, .skip')) continue;
    seen.add(el);
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const fg = rgb(style.color).slice(0, 3), bg = background(el);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    checked++;
    const words = node.textContent.trim().slice(0, 40);
    if (ratio < need) problems.push(`contrast ${ratio.toFixed(2)} < ${need}: "${words}"`);
  }
  return {problems, checked};
}"""


def check_accessible(page: Any) -> None:
    report = page.evaluate(_A11Y)
    assert report["checked"] > 5
    assert report["problems"] == []
    # keyboard: on a fresh load the first Tab reaches the skip link, which moves focus to the
    # content; the next Tab lands on a control with a visible focus ring
    page.goto(page.url.split("#")[0])
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.className")
    assert focused == "skip"
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [document.activeElement.tagName, s.outlineStyle, s.outlineWidth]; }"
    )
    assert style[1] != "none" and style[2] != "0px", style  # a visible focus ring
    assert outline is not None


# --- the walk a user takes ----------------------------------------------------------------------


def test_catalogue_to_query_to_entity_with_highlighted_words(page: Any) -> None:
    from spacekg.query.catalogue import list_queries

    page.goto("/")
    assert page.title() == "Stored queries · spacekg"
    cards = page.locator("li.card")
    assert cards.count() == len(list_queries())
    shot(page, "catalogue")
    check_accessible(page)

    # run a stored query with a parameter from its form on the catalogue, by keyboard
    events = page.locator("#q-events")
    field = events.get_by_label("actor")
    field.fill("skgid:japan")
    field.press("Enter")
    page.wait_for_url("**/queries/events?**actor=skgid%3Ajapan**")
    rows = page.locator("table.results tbody tr")
    assert rows.count() >= 2
    actor_column = page.locator("table.results thead th").all_inner_texts().index("actor")
    actors = {rows.nth(i).locator("td").nth(actor_column).inner_text() for i in range(rows.count())}
    assert actors == {"skgid:japan"}
    shot(page, "query-events-japan")
    check_accessible(page)

    # follow a row to its event's page
    event_cell = rows.first.locator("td").first.locator("a")
    event_iri = event_cell.get_attribute("title")
    assert event_iri and event_iri.startswith(SKGID)
    event_cell.click()
    page.wait_for_url(f"**/id/{event_iri[len(SKGID) :]}")
    assert page.locator("h1").inner_text()
    assert_highlights_match_the_graph(page, event_iri)
    shot(page, "entity-event")
    check_accessible(page)


def assert_highlights_match_the_graph(page: Any, iri: str) -> None:
    """The words highlighted for the node are its spans' oa:exact at their oa:start/oa:end in
    the seed, read here from data/spans.ttl with rdflib (not through the server)."""
    from rdflib import Graph, Namespace, URIRef

    from spacekg.evidence import load_seeds
    from spacekg.project import data_dir

    oa = Namespace("http://www.w3.org/ns/oa#")
    skg = Namespace("https://w3id.org/spacekg/ontology#")
    g = Graph()
    for path in sorted(data_dir().glob("*.ttl")):
        g.parse(path)
    seed = load_seeds()[0].text
    spans = list(g.objects(URIRef(iri), skg.hasEvidence))
    assert spans
    for span in spans:
        start = end = exact = None
        for sel in g.objects(span, oa.hasSelector):
            start = g.value(sel, oa.start) if start is None else start
            end = g.value(sel, oa.end) if end is None else end
            exact = g.value(sel, oa.exact) if exact is None else exact
        local = str(span).rsplit("/", 1)[-1]
        marks = page.locator(f'mark[data-spans~="{local}"]')
        assert marks.count() >= 1, local
        lit = "".join(marks.all_text_contents())
        assert lit == seed[int(start) : int(end)] == str(exact)
        first = int(marks.first.get_attribute("data-start"))
        assert first == int(start)
        # the page's own text before the first mark is the seed up to the offset
        before = page.evaluate(
            """(id) => { const m = document.querySelector(`mark[data-spans~="${id}"]`);
                const r = document.createRange(); const a = document.querySelector('.article');
                r.setStart(a, 0); r.setEndBefore(m); return r.toString(); }""",
            local,
        )
        assert before == seed[: int(start)]


def test_claims_and_reports_look_different(page: Any) -> None:
    page.goto("/id/united-states")
    claim = page.locator("li.mention.claim").first
    report = page.locator("li.mention.statement").first
    assert claim.count() and report.count()
    assert "Authors' claim" in claim.text_content()
    assert "Reported statement" in report.text_content()
    style = "(e) => [getComputedStyle(e).borderStyle, getComputedStyle(e).backgroundColor]"
    assert claim.evaluate(style) != report.evaluate(style)
    claim_mark = page.locator("mark.k-claim").first
    report_mark = page.locator("mark.k-statement").first
    bg = "(e) => getComputedStyle(e).backgroundColor"
    assert claim_mark.evaluate(bg) != report_mark.evaluate(bg)
    # a fact's words link to the highlighted passage, and the link is followed
    link = page.locator("a.wordlink").first
    target = link.get_attribute("href")
    link.click()
    assert page.evaluate("() => location.hash") == target
    shot(page, "entity-united-states")
    check_accessible(page)
    page.goto("/id/claim-us-plot-space-hegemony")
    assert "The authors' opinion" in page.locator("p.notice.claim").inner_text()
    assert_highlights_match_the_graph(page, SKGID + "claim-us-plot-space-hegemony")
    shot(page, "entity-claim")


def test_ontology_page(page: Any) -> None:
    from spacekg.project import ontology_path

    page.goto("/ontology")
    text = ontology_path().read_text()
    classes = page.locator("dl.terms").first.locator(".term-def")
    assert classes.count() == text.count(" a owl:Class ;")
    from rdflib import Graph, Namespace

    g = Graph().parse(ontology_path())
    skg = Namespace("https://w3id.org/spacekg/ontology#")
    skos = Namespace("http://www.w3.org/2004/02/skos/core#")
    definition = str(g.value(skg.AuthorClaim, skos.definition))
    assert definition in page.locator("#AuthorClaim dd").inner_text()
    svg = page.locator("svg.diagram")
    boxes = svg.locator("rect.node")
    assert boxes.count() >= 10
    drawn = svg.text_content() or ""
    rdfs_label = str(
        g.value(skg.AuthorClaim, Namespace("http://www.w3.org/2000/01/rdf-schema#").label)
    )
    assert "hasStance" in drawn and rdfs_label in drawn
    shot(page, "ontology")
    check_accessible(page)


def test_sparql_box(page: Any) -> None:
    page.goto("/query")
    box = page.get_by_label("Query")
    box.fill(
        "PREFIX skg: <https://w3id.org/spacekg/ontology#>\n"
        "SELECT ?claim WHERE { ?claim a skg:AuthorClaim } ORDER BY ?claim"
    )
    page.get_by_role("button", name="Run query").click()
    page.wait_for_url("**/query?query=**")
    from spacekg.query.engine import run_query

    expected = run_query(
        "PREFIX skg: <https://w3id.org/spacekg/ontology#>\n"
        "SELECT ?claim WHERE { ?claim a skg:AuthorClaim } ORDER BY ?claim"
    )
    cells = page.locator("table.results tbody td a").all_inner_texts()
    assert len(cells) == len(expected.rows) > 0
    shot(page, "sparql-box")
    check_accessible(page)
    page.get_by_label("Query").fill("SELECT WHERE {")
    page.get_by_role("button", name="Run query").click()
    assert "syntax error" in page.locator("p.error").inner_text()
