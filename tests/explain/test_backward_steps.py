"""am.backward_steps as text, the flipbook drawn from it (one layout, one size, rules with numbers),
draw_graph's precision= and show_rules=, and zero gradients drawn as blocked flow."""
import html
import math
import re

import numpy as np
import pytest

import autograd_mini as am
from autograd_mini import Tensor
from autograd_mini.viz.flipbook import backward_frames, save_flipbook


def neuron():
    x = Tensor(1.5, name="x")
    w = Tensor(0.8, requires_grad=True, name="w")
    b = Tensor(-0.5, requires_grad=True, name="b")
    z = w * x + b
    z.name = "z"
    p = z.sigmoid()
    p.name = "p"
    return w, b, p


def test_steps_agree_with_backward_on_random_graphs():
    rng = np.random.default_rng(0)
    for _ in range(5):
        a = Tensor(rng.normal(size=(3, 2)), requires_grad=True)
        c = Tensor(rng.normal(size=2), requires_grad=True)
        h = (a * c + c).tanh()
        loss = (h @ c.reshape(2, 1)).sum() + (h * h).mean()
        steps = am.backward_steps(loss)
        assert a.grad is None and c.grad is None
        loss.backward()
        final = steps[-1].grads
        np.testing.assert_allclose(final[id(a)], a.grad.data, rtol=1e-12)
        np.testing.assert_allclose(final[id(c)], c.grad.data, rtol=1e-12)
        # what each step sends adds up, input by input, to what arrives at the next ops
        assert [s.number for s in steps] == list(range(len(steps)))


def test_each_step_is_upstream_times_local_with_the_rule():
    w, b, p = neuron()
    steps = am.backward_steps(p)
    assert [s.op for s in steps] == ["seed", "sigmoid", "add", "mul"]
    s = 1 / (1 + math.exp(-(0.8 * 1.5 - 0.5)))
    sigmoid_step = steps[1]
    assert math.isclose(float(sigmoid_step.sent[0]), 1.0 * s * (1 - s), rel_tol=1e-6)
    text = str(sigmoid_step)
    assert "rule ∂σ(z)/∂z = σ(z)·(1−σ(z))" in text
    assert "to z: upstream 1 × local (0.6682·(1−0.6682) = 0.2217) = 0.2217" in text
    mul_text = str(steps[3])
    assert "to w: upstream 0.2217 × local 1.5 = 0.3326" in mul_text
    p.backward()
    assert math.isclose(float(steps[3].sent[0]), float(w.grad), rel_tol=1e-6)


def _svg_layout(svg: bytes) -> list:
    """Every node's title and shape coordinates, in order: what must not move between frames."""
    text = svg.decode()
    nodes = re.findall(r'<g id="node\d+" class="node">\s*<title>([^<]*)</title>.*?<(?:path|polygon|ellipse)'
                       r' ([^>]*?)/>', text, re.S)
    geometry = [(title, " ".join(re.sub(r'(fill|stroke|stroke-width)="[^"]*"', "", attrs).split()))
                for title, attrs in nodes]
    size = re.search(r'<svg width="([^"]+)" height="([^"]+)"', text).groups()
    return [size] + geometry


def test_frames_share_one_layout_and_size_and_show_the_rule():
    w, b, p = neuron()
    frames = backward_frames(p)
    layouts = [_svg_layout(f.pipe(format="svg")) for f in frames]
    assert len(layouts[0]) == 1 + 9  # the size, then 9 nodes: 4 leaves, 3 ops, 2 values
    assert all(layout == layouts[0] for layout in layouts)
    assert "rule ∂σ(z)/∂z = σ(z)·(1−σ(z))" in frames[1].source
    assert "upstream 1 × local (0.6682·(1−0.6682) = 0.2217) = 0.2217" in frames[1].source
    # edge labels: real labels (laid out, never on a box) in the diagram's font and size
    for f in frames:
        assert "xlabel" not in f.source
        assert all('fontname="Helvetica" fontsize=10' in line for line in f.source.splitlines() if " label=\"0." in line
                   and "->" in line)


def test_a_dead_relu_blocks_the_flow(tmp_path):
    x = Tensor([[1.0], [2.0]], name="x")
    w = Tensor([[-0.5]], requires_grad=True, name="w")
    b = Tensor([-0.2], requires_grad=True, name="b")
    loss = ((am.linear(x, w, b).relu() - Tensor([[1.0], [2.0]])) ** 2.0).mean()
    frames = backward_frames(loss)
    blocked = [line for line in frames[-1].source.splitlines() if "arrowtail=tee" in line]
    assert len(blocked) == 3  # relu -> linear, and linear -> w, b
    assert "arrowtail=tee" not in frames[1].source  # not before the zero has been sent
    am.retain_grads(loss).backward()
    drawn = am.draw_graph(loss).source
    assert drawn.count("arrowtail=tee") == 3 and drawn.count("arrowtail=normal") >= 4
    paths = save_flipbook(frames, tmp_path / "dead")
    assert len(paths) == len(frames)


def test_precision_and_the_default_keep_integer_digits():
    theta0 = Tensor(-79996.2104, requires_grad=True, name="θ0")
    y = theta0 * 1.0
    assert "-79996.21" in am.draw_graph(y).source and "e+04" not in am.draw_graph(y).source
    assert "-8e+04" in am.draw_graph(y, precision=1).source
    assert "|-79996\"" in am.draw_graph(y, precision=5).source  # 5 significant digits
    assert "-8e+04" in am.draw_graph(y, precision=3).source
    assert "0.123457" in am.draw_graph(Tensor(0.123456789, requires_grad=True) * 1.0, precision=6).source
    with pytest.raises(ValueError, match="precision must be a whole number"):
        am.draw_graph(y, precision=0)


def test_show_rules_writes_the_local_derivative_on_edges():
    w, b, p = neuron()
    before = am.draw_graph(p, show_rules=True).source  # before backward: on the forward edges
    assert "∂σ(z)/∂z = σ(z)·(1−σ(z))\\n= 0.6682·(1−0.6682) = 0.2217" in before
    assert "∂(a·b)/∂a = b\\n= 1.5" in before
    p.backward()
    after = am.draw_graph(p, show_rules=True).source
    assert after.count("dir=back") >= 3 and "∂(a+b)/∂b = 1" in after
    assert "label=\"∂σ(z)" not in am.draw_graph(p).source  # (tooltips carry the rule anyway)


def test_the_flipbook_pages_itself_inline():
    w, b, p = neuron()
    frames = backward_frames(p)
    page = frames._repr_html_()  # what Jupyter shows: the viewer, every frame inside, no kernel needed
    assert page.startswith("<iframe srcdoc=") and page.count("&lt;svg") == len(frames) == 4
    inner = html.unescape(page)
    assert "ArrowRight" in inner and "<script src" not in inner and "<link" not in inner  # offline
