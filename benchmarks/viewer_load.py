"""How fast the interactive HTML view opens and pans in a real browser (headless Chromium).

    python benchmarks/viewer_load.py             # the 6,001-op chain: folded (the default), capped
    python benchmarks/viewer_load.py --full 1000 # also a 3,001-op chain drawn in full (8,003 nodes)

Prints, per page: the file size, the time from navigation to the viewer being ready (the SVG
parsed, laid out and fitted), and the frame times while panning with the mouse (60 drags
of 5 px, each awaited for a painted frame). Needs chromium and chromedriver on PATH.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import autograd_mini as am  # noqa: E402
from autograd_mini.viz.graph import retain_grads  # noqa: E402

PAN = """
const done = arguments[arguments.length - 1];
const view = document.getElementById("view"), times = [];
let x = 400, y = 300, n = 0, last = performance.now();
view.dispatchEvent(new MouseEvent("mousedown", {clientX: x, clientY: y, bubbles: true}));
function step(now) {
  times.push(now - last); last = now;
  if (++n > 60) { window.dispatchEvent(new MouseEvent("mouseup", {bubbles: true})); done(times.slice(1)); return; }
  x += 5; window.dispatchEvent(new MouseEvent("mousemove", {clientX: x, clientY: y, bubbles: true}));
  requestAnimationFrame(step);
}
requestAnimationFrame(step);
"""


def chain(n_steps: int, width: int = 4, seed: int = 0) -> am.Tensor:
    """h = sigmoid(h * w_k + b_k), n_steps times, then sum: 3 * n_steps + 1 ops (as tests/viz/test_draw.py)."""
    rng = np.random.default_rng(seed)
    h = am.Tensor(rng.normal(size=width), name="x")
    for k in range(n_steps):
        w = am.Tensor(rng.normal(size=width), requires_grad=True, name=f"w{k}")
        b = am.Tensor(rng.normal(size=width), requires_grad=True, name=f"b{k}")
        h = (h * w + b).sigmoid()
    return h.sum()


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = shutil.which("chromium") or shutil.which("google-chrome")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,900"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def measure(driver, path: Path) -> None:
    start = time.perf_counter()
    driver.get(path.resolve().as_uri())
    while driver.execute_script("return document.body.dataset.ready") != "1":
        time.sleep(0.01)
    wall = time.perf_counter() - start
    nav = float(driver.execute_script("return document.body.dataset.readyMs"))
    nodes = driver.execute_script("return document.querySelectorAll('#stage g.node').length")
    print(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB, {nodes:,} nodes; ready after "
          f"{wall:.2f} s (page clock {nav / 1000:.2f} s)", flush=True)
    if nodes >= 1500:  # big graphs pan a picture of themselves, taken once the view is still
        start = time.perf_counter()
        while not driver.execute_script("return !!document.getElementById('snapshot')"):
            time.sleep(0.05)
        print(f"  panning picture ready {time.perf_counter() - start:.2f} s later", flush=True)
    driver.set_script_timeout(600)
    for label, zoom in (("fitted", None), ("zoomed to 100%", 1.0)):
        if zoom is not None:  # as the + button does, about the middle of the view
            driver.execute_script("document.getElementById('zoom-in').click()")
            for _ in range(40):
                time.sleep(0.05)
                if driver.execute_script("return parseFloat(getComputedStyle(document.getElementById("
                                         "'stage')).transform.split('(')[1]) >= 1"):
                    break
                driver.execute_script("document.getElementById('zoom-in').click()")
        frames = driver.execute_async_script(PAN)
        print(f"  panning {label}: median frame {statistics.median(frames):.1f} ms, "
              f"slowest {max(frames):.1f} ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", type=int, default=0, metavar="STEPS",
                        help="also a chain of STEPS steps drawn in full (max_nodes=None; slow to lay out)")
    args = parser.parse_args()
    loss = chain(2000)
    retain_grads(loss).backward()
    out = Path(tempfile.mkdtemp())
    pages = []
    t = time.perf_counter()
    pages.append(Path(am.draw_graph(loss).save_html(out / "chain_6001_ops_folded.html")))
    pages.append(Path(am.draw_graph(loss, collapse=False).save_html(out / "chain_6001_ops_capped_400.html")))
    print(f"folded and capped pages written in {time.perf_counter() - t:.1f} s")
    if args.full:
        t = time.perf_counter()
        full = chain(args.full)
        retain_grads(full).backward()
        pages.append(Path(am.draw_graph(full, collapse=False, max_nodes=None).save_html(
            out / f"chain_{3 * args.full + 1}_ops_full.html")))
        print(f"full page written in {time.perf_counter() - t:.1f} s")
    driver = browser()
    try:
        for page in pages:
            measure(driver, page)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
