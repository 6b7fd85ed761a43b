"""fit's progress where it prints: a Jupyter cell (a real kernel), a terminal, a log.

Keras's meanings of verbose are kept (0 silent, 2 one line per epoch); verbose=1 is one live
display in a notebook, one line redrawn in place on a terminal, a summarised log elsewhere.
"""
import io
import re
import sys

import numpy as np
import pytest

import nn
import nn.progress
from nn import Activation, Dense, Sequential

SUMMARY = r"500 epochs in \d+\.\ds \(\d+(us|ms)/epoch\) - accuracy: 0\.\d{4} - loss: 0\.\d{4}"

SETUP = """
import numpy as np, nn
from nn.datasets import load_iris
iris = load_iris()
X, y = iris.data[:, 3], (iris.target == 2).astype("float32")
def talk_model():
    nn.utils.set_random_seed(0)
    model = nn.Sequential([nn.Dense(1, input_dim=1), nn.Activation("sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer="sgd", metrics=["accuracy"])
    return model
"""


@pytest.fixture(scope="module")
def cells(tmp_path_factory):
    from jupyter_kernel import run_cells
    sources = [
        SETUP,
        "history = talk_model().fit(X, y, epochs=500, verbose=1)",         # 1: the talk's cell
        "import nn.progress\nnn.progress.UPDATE_EVERY = 0\n"              # 2: every epoch redrawn
        "talk_model().fit(X, y, epochs=60)\nnn.progress.UPDATE_EVERY = 0.1",
        "talk_model().fit(X, y, epochs=500, verbose=2);",                   # 3: Keras's verbose=2
        "talk_model().evaluate(X, y)",                                      # 4
        "talk_model().fit(X, y, epochs=500, callbacks=[nn.EarlyStopping(monitor='loss', patience=0, "
        "min_delta=1.0)])",                                                 # 5: stops early
        "import contextlib, io\nwith contextlib.redirect_stdout(io.StringIO()) as log:\n"
        "    talk_model().fit(X, y, epochs=500)\nprint(log.getvalue().splitlines()[0])",  # 6: to a file
    ]
    nb, client = run_cells(sources, tmp_path_factory.mktemp("progress"))
    return nb.cells, client.updates


def test_a_500_epoch_fit_leaves_one_line_in_the_notebook(cells):
    from jupyter_kernel import text_lines
    outputs = cells[0][1].outputs
    lines = text_lines(outputs)
    assert len(lines) == 1 and re.fullmatch(SUMMARY, lines[0]), lines
    (display,) = outputs                                   # one display, no stream of lines
    assert display["output_type"] == "display_data"
    assert "<div" in display["data"]["text/html"] and "500 epochs in" in display["data"]["text/html"]


def test_the_notebook_display_is_updated_in_place_during_fit(cells):
    from jupyter_kernel import text_lines
    cell_list, updates = cells
    assert updates.get(2, 0) >= 60                         # every epoch and the summary replaced it
    assert len(text_lines(cell_list[2].outputs)) == 1


def test_verbose_2_keeps_keras_meaning_in_a_notebook(cells):
    from jupyter_kernel import text_lines
    lines = text_lines(cells[0][3].outputs)
    assert len(lines) == 500 and lines[-1].startswith("Epoch 500/500 - 5/5 - ")


def test_evaluate_prints_one_line_and_an_early_stop_says_so(cells):
    from jupyter_kernel import text_lines
    evaluate = text_lines(cells[0][4].outputs)
    assert re.fullmatch(r"5/5 ━{20} \d+s \d+(us|ms)/step - accuracy: \S+ - loss: \S+", evaluate[0])
    stopped = text_lines(cells[0][5].outputs)
    assert re.match(r"2 epochs in .* \(stopped at epoch 2/500\)", stopped[0])


# --- terminal and log (no kernel) ------------------------------------------------------------
class Terminal(io.StringIO):
    def isatty(self):
        return True


def _talk_model():
    model = Sequential([Dense(1, input_dim=1), Activation("sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer="sgd", metrics=["accuracy"])
    return model


def test_on_a_terminal_one_line_is_rewritten_with_a_permanent_line_now_and_then(monkeypatch):
    monkeypatch.setattr(nn.progress, "REDRAW_EVERY", 0.0)    # redraw at every chance, as on a slow fit
    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    x = np.linspace(0, 2.5, 150)
    _talk_model().fit(x, (x > 1.6).astype("float32"), epochs=500)
    text = terminal.getvalue()
    permanent = text.split("\n")[:-1]
    assert len(permanent) == 11                              # epoch 1 and every 50th
    assert all(re.search(r"\rEpoch \d+/500 - 5/5 ━{20} \d+s .* - loss: \d\.\d{4}$", line) for line in permanent)
    assert permanent[-1].split("\r")[-1].startswith("Epoch 500/500")
    live = re.findall(r"\rEpoch (\d+)/500 · (\d)/5 [━╌]{20} (\S+) left", text)
    assert len(live) > 500                                   # the live line, redrawn within epochs
    assert {step for _, step, _ in live} >= {"1", "5"}


def test_off_a_terminal_an_early_stop_still_prints_its_last_epoch(capsys):
    x = np.linspace(0, 2.5, 150)
    _talk_model().fit(x, (x > 1.6).astype("float32"), epochs=500,
                      callbacks=[nn.EarlyStopping(monitor="loss", patience=0, min_delta=1.0)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Training 500 epochs; not a terminal")
    assert [line.split(" - ")[0] for line in lines[1:]] == ["Epoch 1/500", "Epoch 2/500"]


def test_in_a_notebook_output_redirected_to_a_file_gets_the_log(cells):
    from jupyter_kernel import text_lines
    assert text_lines(cells[0][6].outputs) == [
        "Training 500 epochs; not a terminal, so showing every 50th (verbose=2 shows all, verbose=0 none)"]


def test_the_notebook_line_as_html_has_a_real_progress_bar_instead_of_the_text_one():
    from nn.progress import BAR_WIDTH, _html
    line = "Epoch 237/500 · 3/5 " + "━" * 9 + "╌" * (BAR_WIDTH - 9) + " 0.2s left - loss: 0.4512"
    html = _html(line, 0.47)
    assert '<progress value="0.470" max="1"' in html and "━" not in html
    assert "Epoch 237/500 · 3/5 · 0.2s left - loss: 0.4512" in html
    assert "<progress" not in _html("500 epochs in 0.3s (674us/epoch) - loss: 0.3615", None)   # the summary
