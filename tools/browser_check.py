"""The explorers in a real browser: JupyterLab runs each notebook, a slider moves, the figure changes.

Usage (with the browser venv's Python, `make browser-check` makes it):
    .venv-browser/bin/python tools/browser_check.py --out SCREENSHOTS [NOTEBOOK ...]

Default notebooks: those with an explorer cell (cell tag ``explorer``: 01, 02, 09, 12). For each one:
JupyterLab from the course's venv (``.venv/bin/jupyter lab``, a free port, a random token, on a temporary
copy of the notebooks, this checkout's snn_helpers first on PYTHONPATH, no network) opens it in
Debian's Chromium driven by Playwright (never a downloaded browser); *Run All Cells*; then the first
slider of the explorer is moved by one step with the keyboard (focus its handle, ArrowRight). Checked:
the explorer's image bytes change, the line under it changes, and the browser console logged no error
(nor an uncaught exception) from opening the notebook to the end. Screenshots of the explorer before
and after the move go to SCREENSHOTS/NN_name-before.png and -after.png. Exits 1 with one line per
failure, 0 when every notebook passed.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
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
    "--disable-quic",
]
RUN_TIMEOUT_MS = 240_000  # Run All on a busy two-core machine
REDRAW_SECONDS = 30
PANEL = "window.jupyterapp.shell.currentWidget"  # the notebook panel in front

# the image's bytes, hashed in the page (the Image widget shows them through a blob: URL)
IMAGE_DIGEST = """async (img) => {
    const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
    let h = 2166136261;
    for (const b of bytes) { h = Math.imul(h ^ b, 16777619) >>> 0; }
    return `${bytes.length}:${h}`;
}"""


def explorer_notebooks() -> list[Path]:
    out = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        if any("explorer" in c.get("metadata", {}).get("tags", []) for c in cells):
            out.append(path)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(folder: Path, port: int, token: str, log) -> subprocess.Popen:
    jupyter = ROOT / ".venv" / "bin" / "jupyter"
    if not jupyter.exists():
        raise SystemExit(f"browser check: {jupyter} is missing: run `make setup` first")
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # this checkout's snn_helpers, not another editable one
    command = [
        str(jupyter),
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--ServerApp.token={token}",
        f"--notebook-dir={folder}",
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: Run All through the command registry
        "--ServerApp.port_retries=0",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=folder)


def wait_for_lab(url: str, token: str, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"browser check: JupyterLab exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"browser check: JupyterLab did not answer at {url} within {seconds:.0f} s")


def shut_down_kernels(url: str, token: str) -> None:
    with urllib.request.urlopen(f"{url}/api/sessions?token={token}", timeout=10) as answer:
        sessions = json.load(answer)
    for session in sessions:
        request = urllib.request.Request(f"{url}/api/sessions/{session['id']}?token={token}", method="DELETE")
        urllib.request.urlopen(request, timeout=10).close()


def check_notebook(page, url: str, token: str, name: str, shots: Path) -> list[str]:
    """Open, run, move a slider; return the failures (empty: passed)."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    page.goto(f"{url}/lab/tree/{name}?reset&token={token}")  # reset: a fresh workspace, no old tabs
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget", timeout=60_000)
    page.wait_for_function(f"{PANEL}.sessionContext.session?.kernel?.status === 'idle'", timeout=120_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(  # Run All finished: every code cell has its count, the kernel is idle
        f"""() => {{
            const panel = {PANEL};
            const cells = panel.content.widgets.filter(c => c.model.type === 'code');
            return cells.every(c => c.model.executionCount !== null)
                && panel.sessionContext.session?.kernel?.status === 'idle';
        }}""",
        timeout=RUN_TIMEOUT_MS,
    )
    found = page.evaluate(  # the explorer cell (tag "explorer"), scrolled into view and marked
        f"""async () => {{
            const notebook = {PANEL}.content;
            const tagged = c => (c.model.getMetadata('tags') || []).includes('explorer');
            const i = notebook.widgets.findIndex(tagged);
            if (i < 0) return false;
            notebook.activeCellIndex = i;
            await notebook.scrollToItem(i, 'start');
            notebook.widgets[i].node.setAttribute('data-explorer', 'yes');
            return true;
        }}"""
    )
    if not found:
        return [f"{name}: no cell tagged explorer"]
    box = page.locator("[data-explorer] .jp-OutputArea-output .widget-vbox").first
    box.wait_for(state="visible", timeout=60_000)
    image, label = box.locator("img").first, box.locator(".explorer-numbers").last
    image.wait_for(state="visible", timeout=30_000)
    box.scroll_into_view_if_needed()
    stem = Path(name).stem
    box.screenshot(path=str(shots / f"{stem}-before.png"))
    before, text = image.evaluate(IMAGE_DIGEST), label.inner_text()
    handle = box.locator(".noUi-handle").first
    handle.focus()
    page.keyboard.press("ArrowRight")
    deadline = time.monotonic() + REDRAW_SECONDS  # the kernel redraws, the widget gets the new bytes
    while image.evaluate(IMAGE_DIGEST) == before and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    page.wait_for_timeout(500)  # the line under the image comes in the same redraw
    after, new_text = image.evaluate(IMAGE_DIGEST), label.inner_text()
    box.screenshot(path=str(shots / f"{stem}-after.png"))
    failures = [f"{name}: {e}" for e in errors]
    if after == before:
        failures.append(f"{name}: the figure did not change after the slider moved (image {before})")
    if new_text == text:
        failures.append(f"{name}: the line under the figure did not change ({text!r})")
    print(f"browser check: {name}: {text!r} -> {new_text!r}", flush=True)
    return failures


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="folder for the screenshots (made if missing)")
    parser.add_argument("notebooks", nargs="*", help="default: every notebook with an explorer cell")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    shots = Path(args.out)
    shots.mkdir(parents=True, exist_ok=True)
    paths = [Path(p).resolve() for p in args.notebooks] or explorer_notebooks()
    folder = Path(tempfile.mkdtemp(prefix="browser-check-"))
    for path in paths:
        shutil.copy(path, folder / path.name)
    port, token = free_port(), secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}"
    log = open(folder / "jupyterlab.log", "w")  # noqa: SIM115 - open while the server runs
    server = start_lab(folder, port, token, log)
    failures: list[str] = []
    try:
        wait_for_lab(url, token, server)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            for path in paths:
                page = browser.new_page(viewport={"width": 1280, "height": 1000})
                try:
                    failures += check_notebook(page, url, token, path.name, shots)
                except Exception as error:  # noqa: BLE001 - any step that failed is this notebook's failure
                    failures.append(f"{path.name}: {type(error).__name__}: {str(error).splitlines()[0]}")
                finally:
                    page.close()
                    shut_down_kernels(url, token)
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    for line in failures:
        print(f"browser check FAILED: {line}", file=sys.stderr)
    if failures:
        print(f"browser check: JupyterLab's log: {folder / 'jupyterlab.log'}", file=sys.stderr)
        return 1
    shutil.rmtree(folder, ignore_errors=True)
    print(f"browser check: {len(paths)} notebooks passed; screenshots in {shots}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
