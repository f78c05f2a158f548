"""What the gallery's examples share: the command line and an optional matplotlib.

matplotlib comes with the `plot` extra (python -m pip install ".[plot]"); without it
every example still runs and prints its numbers, and says how to get its picture.
"""
import argparse


def parse_args(doc, argv=None):
    """`--quick` (a small, fast run) and `--out PATH` (the PNG; 'none' for no picture)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small problem and few steps, in seconds")
    parser.add_argument("--out", default=None, help="where to save the picture ('none': no picture)")
    return parser.parse_args(argv)


def pyplot(path):
    """matplotlib.pyplot drawing off-screen, or None (after saying why) when there is no picture to make."""
    if path is None or path == "none":
        return None
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"matplotlib is not installed, so no {path}: python -m pip install '.[plot]' to get the picture")
        return None
    return plt


def save(fig, path):
    """Write the figure as a small PNG and say where."""
    fig.savefig(path, dpi=80, bbox_inches="tight")
    print(f"wrote {path}")
