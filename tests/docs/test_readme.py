"""The README's Python examples run as written, top to bottom, in one namespace."""
import pathlib
import re

import numpy as np

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def test_readme_python_blocks_run(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 8
    monkeypatch.chdir(tmp_path)  # the blocks write files (flipbook/, graphs): keep them out of the repo
    namespace: dict = {}
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"README.md python block {i}", "exec"), namespace)
        except Exception as err:  # name the block so a broken README is easy to find
            raise AssertionError(f"README python block {i} failed: {err!r}\n{block}") from err
    # spot-check what the README claims
    assert namespace["kernel"].grad is None  # the hand-made SGD step ended with zero_grad()
    assert namespace["report"]
    assert (tmp_path / "flipbook" / "index.html").exists()
    assert np.isfinite(namespace["loss"].item())
