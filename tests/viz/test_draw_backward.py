"""Backward step by step: the frames, their gradients (the engine's), and the SVG flipbook."""
import re

import numpy as np
import pytest

import autograd_mini as am
from autograd_mini.viz.flipbook import backward_frames, backward_steps, save_flipbook


def logistic():
    x = am.Tensor(1.5, name="x")
    w = am.Tensor(0.8, requires_grad=True, name="w")
    b = am.Tensor(-0.5, requires_grad=True, name="b")
    return x, w, b, (w * x + b).sigmoid()


def test_one_frame_per_step_plus_the_seed_and_grad_left_alone():
    x, w, b, p = logistic()
    frames = backward_frames(p)
    assert len(frames) == 1 + 3  # seed; sigmoid, add, mul
    assert w.grad is None and b.grad is None
    captions = [re.search(r'label="([^"]*)" labeljust=l labelloc=b', f.source).group(1) for f in frames]
    assert "seed" in captions[0]
    assert [c.split(":")[1].split(".")[0].strip() for c in captions[1:]] == ["sigmoid", "add", "mul"]
    # the active op is highlighted, one per frame after the seed
    assert [f.source.count("penwidth=2.5 fontsize=10") for f in frames] == [0, 1, 1, 1]
    # the layout holds still: every frame has the same edges (unused ones invisible)
    shape = [sorted(re.findall(r"^\t(\w+ -> \w+)", f.source, re.M)) for f in frames]
    assert all(s == shape[0] for s in shape)
    assert frames[0].source.count("dir=back") == 0
    assert frames[-1].source.count("dir=back") == 3 + 4  # op->value x3; into w, b, v0, v1
    # gradients arrive step by step; the last frame has the engine's numbers
    assert "grad ·" in frames[1].source and "grad ·" not in frames[-1].source
    p.backward()
    assert f"grad {float(w.grad):.4g}" in frames[-1].source
    assert f"grad {float(b.grad):.4g}" in frames[-1].source
    assert f"grad {float(w.grad):.4g}" not in frames[-2].source


def test_steps_accumulate_a_value_used_twice_and_match_backward():
    a = am.Tensor([1.0, 2.0], requires_grad=True, name="a")
    h = a.exp()
    y = (h * h.sigmoid()).sum()
    steps = backward_steps(y)
    assert len(steps) == 1 + 4
    grads = steps[-1].grads
    assert steps[-1].tensor is h
    y.backward()
    np.testing.assert_allclose(grads[id(a)], a.grad.data, rtol=1e-6)
    # h was used twice: after the mul's step it holds one part, after sigmoid's the sum
    partial = [s.grads.get(id(h)) for s in steps]
    assert partial[0] is None and partial[2] is not None


def test_frames_need_the_saved_values():
    x, w, b, p = logistic()
    p.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        backward_frames(p)
    x, w, b, p = logistic()
    p.backward(retain_graph=True)
    assert len(backward_frames(p)) == 4


def test_too_many_frames_is_refused():
    h = am.Tensor(1.0, requires_grad=True)
    for _ in range(300):
        h = h * 1.0
    with pytest.raises(ValueError, match="max_frames"):
        backward_frames(h)


def test_flipbook_of_svgs(tmp_path):
    x, w, b, p = logistic()
    paths = save_flipbook(backward_frames(p), tmp_path / "flip")
    assert [q.name for q in paths] == [f"step_00{k}.svg" for k in range(4)]
    assert all(q.read_bytes().lstrip().startswith(b"<?xml") for q in paths)
    index = (tmp_path / "flip" / "index.html").read_text()
    # one self-contained viewer: the four frames inlined, paged with the arrow keys
    assert index.count("<svg") == 4 and "ArrowRight" in index and "src=" not in index
