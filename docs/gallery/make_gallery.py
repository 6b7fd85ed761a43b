"""Rebuild the README gallery: run every example (full runs) and copy its chosen figures here.

    python docs/gallery/make_gallery.py            # about a minute on 2 cores

PNGs are re-encoded with a 256-colour palette to keep the repository small; SVGs and the
GIF are copied as they are. The headline numbers of each run go to ``numbers.txt``.
"""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent.parent / "examples"

FIGURES = {
    "quickstart": ["quickstart_graph.svg", "quickstart_probability.png"],
    "house_prices": ["house_prices_fit.png"],
    "relu_neuron": ["relu_neuron_training.gif", "relu_neuron_batch_sizes.png"],
    "iris_logistic": ["iris_logistic.png"],
    "loss_landscape": ["loss_landscape.png"],
    "iris_hidden_layer": ["versicolor_hidden_frames.png", "versicolor_network.svg"],
    "xor": ["xor_decision_surfaces.png"],
    "deep_regression": ["deep_regression_parity.png"],
}


def shrink_png(source: Path, target: Path) -> None:
    from PIL import Image

    with Image.open(source) as image:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)


def main() -> None:
    numbers = []
    with tempfile.TemporaryDirectory() as tmp:
        for example, files in FIGURES.items():
            print(f"running examples/{example}.py ...", flush=True)
            done = subprocess.run([sys.executable, str(EXAMPLES / f"{example}.py"), "--out", tmp],
                                  capture_output=True, text=True, check=True)
            lines = [line for line in done.stdout.splitlines() if not line.startswith("wrote ")]
            numbers.append(f"$ python examples/{example}.py\n" + "\n".join(lines) + "\n")
            for name in files:
                source, target = Path(tmp) / name, HERE / name
                if name.endswith(".png"):
                    shrink_png(source, target)
                else:
                    shutil.copyfile(source, target)
                print(f"  {target.relative_to(HERE.parent.parent)}: {target.stat().st_size // 1024} KB")
    (HERE / "numbers.txt").write_text("\n".join(numbers), encoding="utf-8")


if __name__ == "__main__":
    main()
