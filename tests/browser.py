"""Helpers for the browser tests: a Streamlit server on a free port, Debian's Chromium, and
waiting for a script run to finish (never sleeping)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from data_layer.config import Calendar, load_settings
from data_layer.connection import make_engine
from data_layer.dimensions import data_as_of, load_org, reporting_currency
from data_layer.filters import DEFAULT_VIEWER
from metrics.base import Context

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def streamlit_server(crm_url: str, *, timeout_s: float = 60) -> Iterator[str]:
    """``streamlit run app.py`` on a free port with CRM_DATABASE_URL set and the demo's users and
    entitlements files (the tests' CRMs are not at the demo's path); yields its base URL once
    ``/_stcore/health`` answers, and stops it (by its own pid) afterwards. The server's output is
    kept in test-artifacts/ when the block fails."""
    port = free_port()
    env = {
        **os.environ,
        "CRM_DATABASE_URL": crm_url,
        "GRANARY_USERS_FILE": str(ROOT / "config" / "demo-users.toml"),
        "GRANARY_ENTITLEMENTS_FILE": str(ROOT / "config" / "demo-entitlements.toml"),
        "PYTHONUNBUFFERED": "1",
    }
    log = (ROOT / "test-artifacts").joinpath(f"streamlit-{port}.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "app.py",
                "--server.headless", "true",
                "--server.port", str(port),
                "--server.address", "127.0.0.1",
                "--server.fileWatcherType", "none",
                "--browser.gatherUsageStats", "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"streamlit exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                        if resp.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"streamlit did not answer on {base} within {timeout_s}s")
                time.sleep(0.1)  # polling the health endpoint, not waiting for the page
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    log.unlink(missing_ok=True)  # reached only when the block succeeded: a failure keeps the log


def wait_ready(page, timeout_ms: float = 60_000) -> None:  # noqa: ANN001 - playwright Page
    """Wait until the app has finished its current script run (and has rendered something)."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const app = document.querySelector("[data-testid='stApp']");
            return app && app.getAttribute('data-test-script-state') === 'notRunning'
                && !document.querySelector("[data-testid='stSkeleton']");
        }""",
        timeout=timeout_ms,
    )
    page.wait_for_selector(READY, timeout=timeout_ms)


#: Per kind of text on the page, the lowest WCAG contrast ratio between a text's colour and what lies
#: behind it (colours with alpha composited; a chart's label over the bar or cell under its centre),
#: with that text; and the main area's background. Labels Vega hides (overlap) are left out.
LEGIBILITY_JS = r"""
() => {
  // Colours are [r, g, b, a]; a colour with alpha is composited over what lies behind it.
  const parse = (s) => { const m = /rgba?\(([^)]+)\)/.exec(s || ""); if (!m) return null; const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const contrast = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const behind = (el) => { const layers = []; for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } } return layers.reverse().reduce((bg, c) => over(c, bg), [255, 255, 255, 1]); };
  const main = document.querySelector("[data-testid=stMain]");
  const out = { background: behind(main), min: {} };
  const note = (kind, el, fg, bg) => { const r = contrast(fg, bg); if (!(kind in out.min) || r < out.min[kind].ratio) out.min[kind] = { ratio: Math.round(r * 100) / 100, text: el.textContent.trim().slice(0, 40) }; };
  const html = { kpi_label: "[data-testid=stMetricLabel] p", kpi_value: "[data-testid=stMetricValue]", badge: ".stMarkdownBadge", caption: "[data-testid=stCaptionContainer]", heading: "h1, h2, h3" };
  for (const [kind, sel] of Object.entries(html)) main.querySelectorAll(sel).forEach(el => {
    if (!el.textContent.trim()) return; const cs = getComputedStyle(el); const c = parse(cs.color); const bg = behind(el);
    note(kind, el, over([c[0], c[1], c[2], c[3] * Number(cs.opacity)], bg), bg);
  });
  // Chart text (Vega's SVG): axis and legend labels on the chart's background; a mark's label on the
  // bar or cell under its centre, if any.
  main.querySelectorAll("[data-testid=stVegaLiteChart] svg, [data-testid=stArrowVegaLiteChart] svg").forEach(svg => {
    const bg = behind(svg.parentElement);
    const shapes = [...svg.querySelectorAll("g.mark-rect.role-mark path")];
    svg.querySelectorAll("text").forEach(t => {
      const cs = getComputedStyle(t); const c = parse(cs.fill); const alpha = c ? c[3] * Number(cs.fillOpacity) * Number(cs.opacity) : 0;
      if (!t.textContent.trim() || alpha === 0) return; // labels Vega hides where they would overlap
      const box = t.getBoundingClientRect(); const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
      const shape = t.closest("g.role-mark") && shapes.find(s => { const b = s.getBoundingClientRect(); return x > b.left && x < b.right && y > b.top && y < b.bottom; });
      const sc = shape && getComputedStyle(shape); const fill = sc && parse(sc.fill);
      const under = fill ? over([fill[0], fill[1], fill[2], fill[3] * Number(sc.fillOpacity) * Number(sc.opacity)], bg) : bg;
      note(t.closest("g.role-mark") ? "chart_label" : "chart_axis", t, over([c[0], c[1], c[2], alpha], under), under);
    });
  });
  return out;
}
"""

#: KPI labels and values whose text does not fit their box (cut off, or drawn with an ellipsis).
CUT_LABELS_JS = """() => [...document.querySelectorAll(
    "[data-testid=stMetricLabel], [data-testid=stMetricLabel] *, [data-testid=stMetricValue], [data-testid=stMetricValue] *")]
    .filter(e => e.scrollWidth > e.clientWidth + 1 && e.textContent.trim())
    .map(e => `${e.textContent.trim()} (${e.scrollWidth} > ${e.clientWidth} px)`)"""


def contrast_report(page) -> dict:  # noqa: ANN001 - playwright Page
    """``{"background": [r, g, b, a], "min": {kind: {"ratio": float, "text": str}}}`` (LEGIBILITY_JS)."""
    return page.evaluate(LEGIBILITY_JS)


def luminance(rgb: list[float]) -> float:
    """WCAG relative luminance of an sRGB colour (0–255 channels)."""

    def linear(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


#: The demo's users and their (public) passwords: config/demo-users.toml.
PASSWORDS = {"ceo": "granary-ceo", "head.east": "granary-east", "head.europe": "granary-europe",
             "head.north": "granary-north", "lead.shanghai": "granary-team", "visitor": "granary-visitor"}


def login(page, user: str, password: str | None = None, timeout_ms: float = 60_000) -> None:  # noqa: ANN001 - playwright Page
    """Sign in through the built-in form on the page already open (any URL: the form shows first,
    and the page asked for follows), then wait for the run that follows to finish."""
    form = page.locator("[data-testid='stForm']")
    form.wait_for(timeout=timeout_ms)
    wait_ready(page, timeout_ms)
    form.locator("input[type='text'], input:not([type])").first.fill(user)
    form.locator("input[type='password']").fill(PASSWORDS[user] if password is None else password)
    form.locator("[data-testid='stBaseButton-primaryFormSubmit'], button[kind='primaryFormSubmit'], button").last.click()
    page.wait_for_function("() => !document.querySelector(\"[data-testid='stForm'] input[type='password']\")", timeout=timeout_ms)
    wait_ready(page, timeout_ms)


@contextmanager
def demo_context(url: str) -> Iterator[tuple[Context, Calendar]]:
    """The whole company's metric context on the CRM at ``url`` as of its data's as-of day, in its reporting currency,
    and its calendar: for a browser test to compute what a page must show. The engine is disposed afterwards."""
    engine = make_engine(url)
    try:
        cal = load_settings().calendar
        as_of = data_as_of(engine, cal)
        assert as_of is not None
        yield Context(engine, load_org(engine), DEFAULT_VIEWER, cal, reporting_currency(engine, None), as_of), cal
    finally:
        engine.dispose()
