"""Make the README's screenshot of the interactive view: python docs/img/make_interactive_screenshot.py

Draws a small two-layer network's training step with draw_graph, saves it with save_html, opens
it in headless Chromium (chromium and chromedriver on PATH), hovers the first layer's kernel so
its tooltip shows, and saves docs/img/interactive_view.png.
"""
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

import autograd_mini as am
from autograd_mini.viz.graph import draw_graph, retain_grads

HERE = Path(__file__).resolve().parent


def graph():
    rng = np.random.default_rng(0)
    x = am.Tensor(rng.normal(size=(4, 2)), name="x")
    w1 = am.Tensor(rng.normal(size=(2, 3)), requires_grad=True, name="mlp/dense_1/kernel")
    b1 = am.Tensor(np.zeros(3), requires_grad=True, name="mlp/dense_1/bias")
    w2 = am.Tensor(rng.normal(size=(3, 1)), requires_grad=True, name="mlp/dense_2/kernel")
    b2 = am.Tensor(np.zeros(1), requires_grad=True, name="mlp/dense_2/bias")
    h = (x @ w1 + b1).tanh()
    loss = (((h @ w2 + b2).sigmoid() - 1.0) ** 2).mean()
    retain_grads(loss).backward()
    return loss


def main() -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    page = Path(draw_graph(graph(), rankdir="TB").save_html(
        Path(tempfile.mkdtemp()) / "interactive_view.html", title="a training step"))
    options = Options()
    options.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--window-size=1200,760"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        driver.get(page.as_uri())
        kernel = driver.find_element(By.XPATH, "//*[name()='g' and contains(@class,'node')]"
                                               "[.//*[name()='text' and text()='mlp/dense_1/kernel']]")
        ActionChains(driver).move_to_element(kernel).perform()
        time.sleep(0.2)
        driver.save_screenshot(str(HERE / "interactive_view.png"))
    finally:
        driver.quit()
    print("wrote", HERE / "interactive_view.png")


if __name__ == "__main__":
    main()
