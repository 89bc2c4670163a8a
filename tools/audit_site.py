"""Audit the built course site in a real browser: axe-core, the keyboard, MathML, the console, the search.

Usage (with the browser venv's Python; `make audit` builds the site and this venv, then runs it):
    .venv-browser/bin/python tools/audit_site.py [--site html] [--shots DIR] [--width 1280 --width 390]

It builds nothing: it reads the site that `make html` wrote (html/ and html/ja/, both editions), opens
every page from disk (file://, as a learner opens it offline) in Debian's Chromium driven by Playwright
(never a downloaded browser), at each width (default 1280 and 390 CSS pixels, a laptop and a phone),
and checks:

- axe-core (tools/site/node_modules/axe-core, version pinned by tools/site/package-lock.json, installed
  by `npm ci --prefix tools/site`): no violation of impact "serious" or "critical", each one printed
  with its page, width, rule and node; the moderate and minor ones are counted and printed too;
- no console error and no uncaught exception while the page loads and is used;
- the keyboard (at the first width): the first Tab reaches the skip link, whose target is the main
  content; Tab then reaches the search box, the header's previous/next links and the table of contents
  (on a notebook's page); Shift+Tab from the top reaches the bottom previous/next links; every element
  that takes focus shows an outline;
- the equations are MathML that the browser typesets natively (`<math>` elements that are
  MathMLElement, displayed as math), and no raw TeX dollars are left in the prose;
- the search, on each edition's index: a known query (EN "surrogate gradient", JA "代理勾配", a
  substring of longer Japanese words) typed into the box lists a result linking to a page of the
  edition, the arrow key reaches it and Enter opens that page.

Screenshots go to --shots: the index and notebook 02 at each width, notebook 01's explorer with its
note, the skip link focused, and a search result, in each edition. Exits 1 with
one line per failure, 0 when every page passed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = ROOT / "tools" / "site" / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
# (edition folder under the site, query, a page that must be among the results)
SEARCHES = [
    ("", "surrogate gradient", "01_spike_function.html"),
    ("ja", "代理勾配", "01_spike_function.html"),
]
TAB_LIMIT = 120  # Tab presses from the top of a page; the table of contents is met long before

# every element that takes focus, in the order the keyboard meets it (what Tab does, asked of the page)
FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1;
    const ring = style.boxShadow && style.boxShadow !== 'none';
    const where = el.closest('nav, header, footer, main, [role=search]');
    return {
        tag: el.tagName.toLowerCase(), id: el.id, cls: el.className && String(el.className),
        href: el.getAttribute('href'), rel: el.getAttribute('rel'),
        region: where ? (where.getAttribute('class') || where.tagName.toLowerCase()) : '',
        visible: outline || ring, text: (el.textContent || '').trim().slice(0, 40),
    };
}"""

MATH = """() => {
    const math = [...document.querySelectorAll('main math')];
    // laid out by the browser's MathML engine: the parts of the equation are displayed as math
    const laidOut = m => m.firstElementChild instanceof MathMLElement
        && ['block math', 'inline math', 'math'].includes(getComputedStyle(m.firstElementChild).display);
    const bad = math.filter(m => !(m instanceof MathMLElement) || !laidOut(m));
    const prose = [...document.querySelectorAll('main .jp-MarkdownCell')].map(div => {
        const copy = div.cloneNode(true);
        copy.querySelectorAll('code, pre, math').forEach(n => n.remove());
        return copy.textContent;
    }).join(' ');
    return {count: math.length, bad: bad.length, dollars: (prose.match(/\\$/g) || []).length,
            mathjax: !!document.querySelector('script[src*=mathjax i], .MathJax')};
}"""


@dataclass
class Tally:
    """What the audit found over the whole site: failures (one line each) and the nodes of the
    violations that do not fail it, by "impact rule"."""

    pages: int = 0
    runs: int = 0
    failures: list[str] = field(default_factory=list)
    minor: dict[str, int] = field(default_factory=dict)


def pages_of(site: Path) -> list[Path]:
    """The pages of both editions: site/*.html, then site/ja/*.html (index first in each)."""
    out = []
    for folder in (site, site / "ja"):
        pages = sorted(folder.glob("*.html"), key=lambda p: (p.name != "index.html", p.name))
        out += pages
    return out


def listen(page, errors: list[str]) -> None:
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160),
                    why: (n.failureSummary || '').split('\\n').slice(1, 2).join('')}))}));
        }"""
    )


def keyboard(page, name: str, notebook: bool, shot: Path | None = None) -> list[str]:
    """Tab from the top of the page: the skip link first, then search, header pager, contents;
    Shift+Tab from the top: the bottom pager. `shot`: a screenshot with the skip link focused."""
    failures = []
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    if shot is not None:
        page.screenshot(
            path=str(shot), clip={"x": 0, "y": 0, "width": page.viewport_size["width"], "height": 200}
        )
    if not first or "course-skip" not in (first["cls"] or ""):
        failures.append(f"{name}: the first Tab reaches {first}, not the skip link")
    else:
        page.keyboard.press("Enter")
        target = page.evaluate("() => document.activeElement && document.activeElement.id")
        if target != "main-content":
            failures.append(f"{name}: the skip link moved focus to {target!r}, not to the main content")
        page.evaluate("() => { document.activeElement.blur(); window.scrollTo(0, 0); }")
        page.evaluate("() => history.replaceState(null, '', location.pathname)")
        page.reload()
    met = []
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            break
        met.append(focused)
        if "course-toc" in focused["region"]:
            break
    invisible = [f for f in met if not f["visible"]]
    if invisible:
        failures.append(f"{name}: no visible focus outline on {invisible[0]['tag']}.{invisible[0]['cls']}")
    if not any(f["tag"] == "input" and f["id"] == "course-search-input" for f in met):
        failures.append(f"{name}: Tab does not reach the search box")
    pager = [f for f in met if "course-pager-top" in f["region"]]
    if not pager:
        failures.append(f"{name}: Tab does not reach the header's previous/next links")
    if notebook and not any("course-toc" in f["region"] for f in met):
        failures.append(f"{name}: Tab does not reach the table of contents within {TAB_LIMIT} presses")
    page.reload()  # no focus, no starting point: Shift+Tab starts from the end of the page
    back = []
    for _ in range(6):  # from the top, backwards: the footer's link, then the bottom pager
        page.keyboard.press("Shift+Tab")
        focused = page.evaluate(FOCUSED)
        if focused:
            back.append(focused)
    if not any(f["region"] == "course-pager" and f["rel"] in ("prev", "next") for f in back):
        failures.append(f"{name}: Shift+Tab does not reach the bottom previous/next links: {back[:3]}")
    return failures


def search(page, site: Path, folder: str, query: str, expected: str, shots: Path) -> list[str]:
    """Type a query into the index's search box; a result must link to `expected`; Enter opens it."""
    index = site / folder / "index.html"
    where = f"{folder or 'en'} search {query!r}"
    page.goto(index.as_uri())
    box = page.locator("#course-search-input")
    if box.count() == 0:
        return [f"{where}: {index} has no search box"]
    box.focus()
    page.keyboard.type(query, delay=20)
    try:
        page.wait_for_selector("#course-search-results a", timeout=5000)
    except Exception:  # noqa: BLE001 - no result in time is this check's failure
        return [f"{where}: no result ({page.locator('#course-search-results').inner_text()!r})"]
    hrefs = page.eval_on_selector_all(
        "#course-search-results a", "all => all.map(a => a.getAttribute('href'))"
    )
    page.screenshot(path=str(shots / f"search-{folder or 'en'}.png"))
    if not any(h.split("#")[0] == expected for h in hrefs):
        return [f"{where}: {expected} is not among the results {hrefs[:5]}"]
    page.keyboard.press("ArrowDown")
    first = page.evaluate("() => document.activeElement.getAttribute('href')")
    if first != hrefs[0]:
        return [f"{where}: ArrowDown focuses {first!r}, not the first result {hrefs[0]!r}"]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    opened = Path(page.url.split("#")[0].replace("file://", "")).name
    if opened != hrefs[0].split("#")[0]:
        return [f"{where}: Enter on the first result opened {page.url}"]
    print(f"audit: {where}: {len(hrefs)} results, the first {hrefs[0]}, opened by Enter", flush=True)
    return []


def audit_page(browser, path: Path, site: Path, width: int, keys: bool, shots: Path, tally: Tally) -> None:
    name = f"{path.relative_to(site)} at {width} px"
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    listen(page, errors)
    try:
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        for violation in axe_violations(page):
            if violation["impact"] in FAILING_IMPACTS:
                for node in violation["nodes"]:
                    tally.failures.append(
                        f"{name}: axe {violation['impact']} {violation['id']} ({violation['help']}): "
                        f"{node['target']} {node['html']!r} {node['why']}"
                    )
            else:
                key = f"{violation['impact']} {violation['id']}"
                tally.minor[key] = tally.minor.get(key, 0) + len(violation["nodes"])
        notebook = path.name != "index.html"
        math = page.evaluate(MATH)
        if math["bad"] or math["dollars"] or math["mathjax"]:
            tally.failures.append(f"{name}: equations are not all native MathML: {math}")
        edition = "ja" if path.parent != site else "en"
        if path.name in ("index.html", "02_if_neuron.html"):
            page.screenshot(path=str(shots / f"{edition}-{path.stem}-{width}.png"))
        note = page.locator("div.jp-CodeCell:has(p.course-explorer-note)").first
        if path.name == "01_spike_function.html" and note.count():
            note.scroll_into_view_if_needed()
            note.screenshot(path=str(shots / f"{edition}-explorer-{width}.png"))
        if keys:
            page.reload()
            skip = shots / f"{edition}-{path.stem}-skip-link.png" if path.name == "index.html" else None
            tally.failures += keyboard(page, name, notebook, skip)
    except Exception as error:  # noqa: BLE001 - any step that failed is this page's failure
        tally.failures.append(f"{name}: {type(error).__name__}: {str(error).splitlines()[0]}")
    finally:
        page.close()
    tally.failures += [f"{name}: {e}" for e in errors]
    tally.runs += 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", default=str(ROOT / "html"), help="the built site (default html/)")
    parser.add_argument("--shots", default=str(ROOT / "build" / "site-audit"), help="screenshots folder")
    parser.add_argument("--width", type=int, action="append", help="viewport widths (default 1280, 390)")
    args = parser.parse_args(argv)
    site, shots = Path(args.site).resolve(), Path(args.shots)
    widths = args.width or [1280, 390]
    if not AXE.is_file():
        print(f"audit: {AXE} is missing: run `npm ci --prefix tools/site`", file=sys.stderr)
        return 1
    pages = pages_of(site)
    if not (site / "index.html").is_file() or not (site / "ja" / "index.html").is_file():
        print(f"audit: {site} lacks index.html or ja/index.html: run `make html` first", file=sys.stderr)
        return 1
    shots.mkdir(parents=True, exist_ok=True)
    version = json.loads((AXE.parent / "package.json").read_text(encoding="utf-8"))["version"]
    from playwright.sync_api import sync_playwright

    tally = Tally(pages=len(pages))
    start = time.monotonic()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        print(f"audit: axe-core {version} in Chromium {browser.version}, {len(pages)} pages", flush=True)
        for path in pages:
            for position, width in enumerate(widths):
                audit_page(browser, path, site, width, position == 0, shots, tally)
            print(f"audit: {path.relative_to(site)} done ({time.monotonic() - start:.0f} s)", flush=True)
        for folder, query, expected in SEARCHES:
            page = browser.new_page(viewport={"width": widths[0], "height": 900})
            errors: list[str] = []
            listen(page, errors)
            try:
                tally.failures += search(page, site, folder, query, expected, shots)
            except Exception as error:  # noqa: BLE001 - a search that broke is this check's failure
                first = str(error).splitlines()[0]
                tally.failures.append(f"search {query!r}: {type(error).__name__}: {first}")
            finally:
                page.close()
            tally.failures += [f"search {query!r}: {e}" for e in errors]
        browser.close()
    for key, count in sorted(tally.minor.items()):
        print(f"audit: not failing, {key}: {count} nodes", flush=True)
    for line in tally.failures:
        print(f"audit FAILED: {line}", file=sys.stderr)
    serious = sum(" axe serious " in f or " axe critical " in f for f in tally.failures)
    print(
        f"audit: {tally.pages} pages x {len(widths)} widths ({tally.runs} runs): {serious} serious or "
        f"critical axe nodes, {len(tally.failures) - serious} other failures; screenshots in {shots}"
    )
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
