"""The interactive HTML view in a real browser: headless Chromium driven by selenium.

Each test saves a screenshot to outputs/browser/<test>.png (git-ignored) for the record.
Skipped only where no Chromium and chromedriver can be found; with the CI variable set
(as .ci/run runs), a missing browser fails instead.
"""
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import autograd_mini as am
from autograd_mini.viz.flipbook import backward_frames, save_flipbook
from autograd_mini.viz.graph import retain_grads

SHOTS = Path(__file__).resolve().parents[2] / "outputs" / "browser"


def _find(*names):
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


def _browser():
    """(chromium, chromedriver) paths, or a skip -- a failure in CI."""
    chromium = _find("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
    driver = _find("chromedriver")
    if chromium and driver:
        return chromium, driver
    missing = " and ".join(n for n, p in (("chromium", chromium), ("chromedriver", driver)) if not p)
    reason = (f"{missing} not found on PATH: install Debian's `chromium` and `chromium-driver` "
              "(.ci/run does) to run the browser tests")
    if os.environ.get("CI"):
        pytest.fail("CI: " + reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver  # in the test extra: pip install -e ".[test]"
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    chromium, driver_path = _browser()
    options = Options()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,900"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()


@pytest.fixture
def page(browser, request):
    """Open a file in the browser (page(path)); screenshot it when the test ends. A viewer page
    (the default) must have set itself up by the time it has loaded."""
    def open_page(path, viewer=True):
        browser.get(Path(path).resolve().as_uri())
        if viewer:
            assert browser.execute_script("return document.body.dataset.ready") == "1"
        return browser
    yield open_page
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(os.fspath(SHOTS / f"{request.node.name}.png"))


def console_errors(driver) -> list:
    return [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


def nested_model_graph():
    """Two blocks of two dense-like layers; names "model/block0/dense1/kernel" etc."""
    rng = np.random.default_rng(0)
    h = am.Tensor(rng.normal(size=(4, 3)), name="x")
    for block in range(2):
        for layer in range(2):
            prefix = f"model/block{block}/dense{layer}"
            w = am.Tensor(rng.normal(size=(3, 3)), requires_grad=True, name=f"{prefix}/kernel")
            b = am.Tensor(np.zeros(3), requires_grad=True, name=f"{prefix}/bias")
            h = (h @ w + b).tanh()
    loss = h.sum()
    retain_grads(loss).backward()
    return loss


def node(driver, title):
    """The SVG group of the node whose Graphviz id or label names `title`."""
    from selenium.webdriver.common.by import By

    return driver.find_element(By.XPATH, f"//*[name()='g' and contains(@class, 'node')]"
                                         f"[.//*[name()='text' and text()='{title}']]")


def test_page_loads_with_the_svg_and_no_console_errors(page, tmp_path):
    path = am.draw_graph(nested_model_graph(), legend=True).save_html(tmp_path / "g.html")
    html = Path(path).read_text(encoding="utf-8")
    assert "http://" not in html.replace("http://www.w3.org", "")  # no network: all inlined
    driver = page(path)
    assert console_errors(driver) == []
    counts = driver.execute_script(
        "return [document.querySelectorAll('#stage svg').length,"
        " document.querySelectorAll('#stage g.node').length,"
        " document.querySelectorAll('#stage g.cluster').length]")
    assert counts[0] == 1 and counts[1] > 30 and counts[2] >= 7  # model, 2 blocks, 4 layers, legend
    legend = driver.find_element("id", "legend").text
    assert "parameter (requires grad)" in legend and "gradient flow (backward)" in legend


def test_hovering_a_node_shows_its_full_values_and_gradient(page, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains

    w = am.Tensor(np.arange(12.0).reshape(3, 4) / 8, requires_grad=True, name="weights")
    loss = (w * w).sum()
    loss.backward()
    driver = page(am.draw_graph(loss).save_html(tmp_path / "g.html"))
    tip = driver.find_element("id", "tip")
    assert not tip.is_displayed()
    ActionChains(driver).move_to_element(node(driver, "weights")).perform()
    assert tip.is_displayed()
    text = tip.text
    # 12 numbers: more than the label shows (max_elements=6), all of them in the tooltip
    assert "shape 3×4 · float64" in text
    assert "value [[0, 0.125, 0.25, 0.375], [0.5, 0.625, 0.75, 0.875], [1, 1.125, 1.25, 1.375]]" in text
    grad = ", ".join(f"{v:g}" for v in (2 * w.data).ravel()[:4])
    assert f"grad [[{grad}]" in text
    ActionChains(driver).move_to_element(node(driver, "mul")).perform()
    rule = getattr(type(loss._ctx.parents[0]._ctx), "rule", None) or "Mul.backward"
    assert "mul" in tip.text and rule in tip.text
    assert console_errors(driver) == []


def test_clicking_a_layer_box_collapses_and_expands_it(page, tmp_path):
    from selenium.webdriver.common.by import By

    driver = page(am.draw_graph(nested_model_graph()).save_html(tmp_path / "g.html"))
    kernel = node(driver, "model/block1/dense0/kernel")
    outside = node(driver, "x")
    label = driver.find_element(By.XPATH, "//*[name()='g' and contains(@class, 'cluster')]"
                                          "//*[name()='text' and text()='block1']")
    label.click()
    assert not kernel.is_displayed() and outside.is_displayed()
    assert label.text.startswith("▸ block1 (") and "nodes)" in label.text
    driver.save_screenshot(os.fspath(SHOTS / "collapsed_block1.png"))
    label.click()
    assert kernel.is_displayed() and label.text == "block1"
    assert console_errors(driver) == []


def test_search_finds_a_node_by_name(page, tmp_path):
    from selenium.webdriver.common.keys import Keys

    driver = page(am.draw_graph(nested_model_graph()).save_html(tmp_path / "g.html"))
    box = driver.find_element("id", "search")
    box.send_keys("block1/dense1/bias", Keys.ENTER)
    assert driver.find_element("id", "search-count").text == "1 of 1"
    found = node(driver, "model/block1/dense1/bias")
    assert "current" in found.get_attribute("class")
    box.clear()
    box.send_keys("no such node", Keys.ENTER)
    assert driver.find_element("id", "search-count").text == "no match"


def test_flipbook_pages_with_the_keyboard(page, tmp_path):
    from selenium.webdriver.common.keys import Keys

    w = am.Tensor([0.5, -1.0], requires_grad=True, name="w")
    loss = (w * 2.0).sigmoid().sum()
    frames = backward_frames(loss)
    save_flipbook(frames, tmp_path / "flip")
    driver = page(tmp_path / "flip" / "index.html")
    pos = driver.find_element("id", "pos")
    caption = "return [...document.querySelectorAll('#stage svg > g > text')].map(t => t.textContent).join(' ')"
    assert pos.text == "1 / 4" and "the seed" in driver.execute_script(caption)
    body = driver.find_element("tag name", "body")
    body.send_keys(Keys.ARROW_RIGHT)
    assert pos.text == "2 / 4" and "step 1/3: sum.backward" in driver.execute_script(caption)
    body.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)  # stops at the last
    assert pos.text == "4 / 4" and "mul.backward" in driver.execute_script(caption)
    body.send_keys(Keys.ARROW_LEFT)
    assert pos.text == "3 / 4"
    assert console_errors(driver) == []


def test_plot_model_pages_load(page, tmp_path, request):
    from nn import Dense, Sequential
    from nn.diagram import plot_model
    from nn.utils import clear_session

    # layer names count up per session: start afresh after, so later tests see "dense"
    request.addfinalizer(clear_session)
    model = Sequential([Dense(3, input_dim=2, activation="relu"), Dense(1, activation="sigmoid")])
    for detail in ("layers", "neurons", "ops"):
        driver = page(plot_model(model, detail=detail).save_html(tmp_path / f"{detail}.html"))
        assert driver.execute_script("return document.querySelectorAll('#stage g.node').length") >= 3
        assert "input" in driver.find_element("id", "legend").text
        assert console_errors(driver) == []


def test_a_wide_graph_opens_scaled_to_fit_and_zooms_with_the_buttons(page, tmp_path):
    h = am.Tensor([1.0, 2.0], name="x")
    for k in range(60):  # a long left-to-right chain, far wider than the window
        h = (h * am.Tensor([0.5, 0.5], requires_grad=True, name=f"w{k}")).sigmoid()
    driver = page(draw_graph_html(h, tmp_path))
    fits = ("const v = document.getElementById('view').getBoundingClientRect(),"
            " s = document.querySelector('#stage svg').getBoundingClientRect();"
            " return [s.left >= v.left - 1, s.right <= v.right + 1, s.width / v.width];")
    left_in, right_in, share = driver.execute_script(fits)
    assert left_in and right_in and share > 0.9  # scaled down to the window's width
    before = driver.execute_script("return document.querySelector('#stage svg').getBoundingClientRect().width")
    driver.find_element("id", "zoom-in").click()
    after = driver.execute_script("return document.querySelector('#stage svg').getBoundingClientRect().width")
    assert after == pytest.approx(before * 1.25, rel=0.01)
    assert console_errors(driver) == []


def draw_graph_html(tensor, tmp_path):
    return am.draw_graph(tensor, collapse=False, max_nodes=None).save_html(tmp_path / "g.html")


def test_dragging_a_big_graph_moves_a_picture_then_the_svg(page, tmp_path):
    """1,600 nodes (a synthetic SVG, so no layout is needed): once the view is still, a picture
    of the graph is taken; a drag moves the picture, and the SVG follows when it ends."""
    import time

    from selenium.webdriver.common.action_chains import ActionChains

    from autograd_mini.viz.html import html_page

    cells = "".join(f'<g class="node"><title>n{k}</title><rect x="{(k % 40) * 30}" y="{(k // 40) * 30}" '
                    f'width="20" height="20" fill="#d5f5e3"/></g>' for k in range(1600))
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="1200pt" height="1200pt" '
           f'viewBox="0 0 1200 1200">{cells}</svg>').encode()
    path = tmp_path / "big.html"
    path.write_text(html_page([svg], title="big"), encoding="utf-8")
    driver = page(path)
    deadline = time.time() + 20
    while not driver.execute_script("return !!document.getElementById('snapshot')"):
        assert time.time() < deadline, "no picture of the big graph was taken"
        time.sleep(0.05)
    stage_x = "return document.querySelector('#stage svg').getBoundingClientRect().left"
    start = driver.execute_script(stage_x)
    view = driver.find_element("id", "view")
    drag = ActionChains(driver).move_to_element(view).click_and_hold().move_by_offset(80, 0)
    drag.perform()
    assert driver.find_element("id", "snapshot").is_displayed()
    assert driver.execute_script(stage_x) == pytest.approx(start)  # the SVG waits
    ActionChains(driver).release().perform()
    assert not driver.find_element("id", "snapshot").is_displayed()
    assert driver.execute_script(stage_x) == pytest.approx(start + 80, abs=2)
    assert console_errors(driver) == []


def test_interactive_view_from_a_jupyter_kernel_works_in_the_browser(page, tmp_path):
    """diagram.interactive() in a real kernel: the HTML it sends, placed in a page as a notebook
    front end places it, runs the viewer (in its iframe) with its tooltips."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    kernel = pytest.importorskip("jupyter_kernel")  # skips without the `notebook` extra
    setup = ("import autograd_mini as am\n"
             "w = am.Tensor([0.25, -1.5, 2.0], requires_grad=True, name='w')\n"
             "y = (w * w).sum()\ny.backward()")
    nb, _ = kernel.run_cells([setup, "am.draw_graph(y).interactive(height=400)"], tmp_path)
    (result,) = [out for out in nb.cells[1].outputs if out["output_type"] == "execute_result"]
    html = result["data"]["text/html"]
    assert html.startswith("<iframe srcdoc=")
    notebook_page = tmp_path / "notebook.html"
    notebook_page.write_text(f"<!doctype html><html><body><h1>cell output</h1>{html}</body></html>",
                             encoding="utf-8")
    driver = page(notebook_page, viewer=False)
    driver.switch_to.frame(driver.find_element(By.TAG_NAME, "iframe"))
    try:
        assert driver.execute_script("return document.body.dataset.ready") == "1"
        # fitted to the iframe's room, not to its size before layout (a dot in the corner)
        width = driver.execute_script("return document.querySelector('#stage svg').getBoundingClientRect().width")
        assert width > 300
        ActionChains(driver).move_to_element(node(driver, "w")).perform()
        tip = driver.find_element("id", "tip").text
        assert "value [0.25, -1.5, 2]" in tip and "grad [0.5, -3, 4]" in tip
    finally:
        driver.switch_to.default_content()
    assert console_errors(driver) == []
