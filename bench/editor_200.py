#!/usr/bin/env python3
"""The canvas editor with a 200-step flow in headless Chromium: time to render every node, to
fit the view, and to select a node and open its panel. See bench/README.md.

    .venv/bin/python bench/editor_200.py [--runs 3] [--size 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from contextlib import ExitStack

from processes import ROOT, Shopwire, log

sys.path.insert(0, str(ROOT))
from app.cli import DEMO_EMAIL  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, EDITOR_BUNDLE  # noqa: E402
from tests.e2e.large_flow import large_flow  # noqa: E402

# Runs in the page from its first script on: per animation frame, notes when every node is on
# the canvas and measured (React Flow hides unmeasured nodes), and when the viewport last moved.
PROBE = """
(() => {
  const probe = (window.__probe = { rendered: null, viewportAt: null, transform: null });
  const want = %d;
  const frame = () => {
    const nodes = document.querySelectorAll('.react-flow__node');
    if (probe.rendered === null && nodes.length >= want &&
        ![...nodes].some((n) => n.style.visibility === 'hidden')) {
      probe.rendered = performance.now();
    }
    const viewport = document.querySelector('.react-flow__viewport');
    const transform = viewport && viewport.style.transform;
    if (transform && transform !== probe.transform) {
      probe.transform = transform;
      probe.viewportAt = performance.now();
    }
    if (performance.now() < 30000) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();
"""

SELECT = """
(id) => { window.__selected = new Promise((resolve) => {
  document.addEventListener('pointerdown', () => {
    const t0 = performance.now();
    const check = () =>
      document.querySelector(`.panel[data-panel-node="${id}"]`)
        ? resolve(performance.now() - t0)
        : requestAnimationFrame(check);
    check();
  }, { once: true, capture: true });
}); }
"""


FRAMES = """
() => { const f = (window.__frames = { last: null, longest: 0, on: true });
  const tick = (t) => { if (f.last !== null) f.longest = Math.max(f.longest, t - f.last);
    f.last = t; if (f.on) requestAnimationFrame(tick); };
  requestAnimationFrame(tick); }
"""


def drag_frames(page, node_id: str) -> float:
    """Drag a node 200 px in 20 moves; the longest frame (ms) while it follows the pointer."""
    box = page.locator(f".react-flow__node[data-id='{node_id}']").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 5, y + 5)  # past the drag threshold
    page.evaluate(FRAMES)
    page.mouse.move(x + 205, y + 105, steps=20)
    page.mouse.up()
    page.wait_for_timeout(100)
    return page.evaluate("window.__frames.on = false, window.__frames.longest")


def measure(browser, base: str, cookies: list, flow_id: str, size: int) -> dict[str, float]:
    # The probes are evaluated as strings, which the page's nonce CSP forbids; the measurement
    # is of rendering, not of the policy, so the context bypasses it.
    context = browser.new_context(
        base_url=base, viewport={"width": 1280, "height": 800}, locale="en-US", bypass_csp=True
    )
    try:
        context.add_cookies(cookies)
        page = context.new_page()
        page.add_init_script(PROBE % size)
        page.goto(f"/flows/{flow_id}/edit")
        page.wait_for_function("window.__probe && window.__probe.rendered !== null", timeout=60_000)
        # The view has settled once it has not moved for a second after every node rendered.
        page.wait_for_function(
            "performance.now() - Math.max(window.__probe.viewportAt || 0,"
            " window.__probe.rendered) > 1000",
            timeout=60_000,
        )
        probe = page.evaluate("window.__probe")
        marks = page.evaluate(
            "Object.fromEntries(performance.getEntriesByType('mark')"
            ".filter((m) => m.name.startsWith('shopwire:')).map((m) => [m.name, m.startTime]))"
        )
        target = f"s{size // 2}"
        page.evaluate(SELECT, target)
        page.locator(f".react-flow__node[data-id='{target}']").click()
        selected = page.evaluate("window.__selected")
        drag = drag_frames(page, f"s{size // 2 + 1}")
        return {
            "render": probe["rendered"],
            "fit": marks.get("shopwire:fit-view", float("nan")),
            "settled": probe["viewportAt"],
            "select": selected,
            "loaded": marks.get("shopwire:flow-loaded", float("nan")),
            "drag": drag,
        }
    finally:
        context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", type=int, default=200)
    args = parser.parse_args()
    if not EDITOR_BUNDLE.exists():
        sys.exit("the editor is not built: npm --prefix frontend run build")
    from playwright.sync_api import sync_playwright

    # Playwright first: its driver does not start once Shopwire's process groups are up.
    with sync_playwright() as playwright, ExitStack() as stack:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        log("starting Shopwire (python -m app.cli up) in a temporary data directory")
        shop = Shopwire(stack, workers=1)
        graph = large_flow(args.size)
        created = shop.api("POST", "/api/flows", json={"name": "200 steps", "graph": graph})
        created.raise_for_status()
        flow_id = created.json()["id"]
        login = browser.new_page()
        login.goto(f"{shop.base}/login")
        login.fill("input[name=email]", DEMO_EMAIL)
        login.fill("input[name=password]", shop.demo_password)
        login.click("button[type=submit]")
        login.wait_for_url(f"{shop.base}/")
        cookies = login.context.cookies()
        login.close()
        runs = []
        for i in range(args.runs):
            runs.append(measure(browser, shop.base, cookies, flow_id, args.size))
            log(f"run {i + 1}: " + ", ".join(f"{k} {v:.0f} ms" for k, v in runs[-1].items()))
    print()
    print(f"Editor with a {args.size}-node flow, 1280×800, headless Chromium, {args.runs} runs")
    print()
    print("| measure | median | runs |")
    print("|---|---|---|")
    rows = [
        ("flow data loaded (from navigation start)", "loaded"),
        (f"all {args.size} nodes rendered (from navigation start)", "render"),
        ("initial fitView() resolved (app mark, from navigation start)", "fit"),
        ("viewport in its final place, painted (from navigation start)", "settled"),
        ("click a node → its panel shown", "select"),
        ("longest frame while dragging a node", "drag"),
    ]
    for label, key in rows:
        values = [r[key] for r in runs]
        each = " / ".join(f"{v:.0f}" for v in values)
        print(f"| {label} | {statistics.median(values):.0f} ms | {each} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
