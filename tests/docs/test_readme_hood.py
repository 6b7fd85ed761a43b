"""The README's "Under the hood" block prints the numbers a hand computation gives, and running it
prints such numbers (issue 10: the old block showed fit's stale gradient added to the new one)."""
import contextlib
import io
import pathlib
import re

import numpy as np

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"
NUMBER = r"-?\d+(?:\.\d+)?"


def _hood_section() -> tuple[str, str, list[str]]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Under the hood"):]
    code = re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)
    after = section[section.index(code) + len(code) + len("```"):]
    printed = re.search(r"```\n(.*?)```", after, flags=re.S).group(1)
    blocks = re.findall(r"```python\n(.*?)```", text[:text.index("### Under the hood")], flags=re.S)
    return code, printed, blocks


def _numbers(printed: str) -> list[float]:
    return [float(n) for n in re.findall(rf"\[*({NUMBER})\]*[,)]", printed)]


def _check_by_hand(numbers: list[float]) -> None:
    """loss, gradients and SGD step of kx + b on the README's three flats, in float64 from the printed
    weights; the tolerances are float32's rounding of numbers of that size (the model is float32)."""
    k, b, loss, grad_k, grad_b, k_after, b_after = numbers
    x, y = np.array([1.0, 2.0, 3.0]), np.array([10000.0, 20000.0, 30000.0])
    error = k * x + b - y
    assert abs(loss - np.mean(error ** 2)) < 0.05 * 30       # printed to 3 decimals; errors known to ~1e-3
    assert abs(grad_k - 2 * np.mean(error * x)) < 0.01        # d/dk mean((kx + b - y)²)
    assert abs(grad_b - 2 * np.mean(error)) < 0.01            # d/db
    assert abs(k_after - (k - 0.01 * grad_k)) < 1e-3          # one SGD step, lr = 0.01
    assert abs(b_after - (b - 0.01 * grad_b)) < 1e-4


def test_the_printed_numbers_are_those_of_a_hand_computation():
    _, printed, _ = _hood_section()
    _check_by_hand(_numbers(printed))


def test_running_the_block_prints_what_the_readme_shows(tmp_path, monkeypatch):
    code, printed, blocks = _hood_section()
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for block in blocks:
            exec(compile(block, "README.md", "exec"), namespace)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md under the hood", "exec"), namespace)
    ran = _numbers(out.getvalue())
    _check_by_hand(ran)  # the initial weight is random: the run's own numbers, checked by hand
    np.testing.assert_allclose(ran, _numbers(printed), rtol=1e-3)  # and close to the README's
