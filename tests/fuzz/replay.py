"""Re-check reproducers written by the fuzzer: python -m tests.fuzz.replay FILE...

The header of a reproducer names its seed, program number, mode, wrt and arguments;
the tangents and cotangents are drawn again from the seed, as in the run. Exits 1 when
a file still fails (wrong, crash or mutated). With --shrink SECONDS, a failing file is
shrunk further (same failure) and rewritten in place."""
import argparse
import ast
import re
import sys

import numpy as np

from . import check, runner, shrink

HEADER = re.compile(r"# s2s fuzz: seed (\d+), program (\d+), mode (\w+)")


def parse(text):
    seed, index, mode = HEADER.search(text).groups()
    wrt = int(re.search(r"# call: .*?wrt=(-?\d+)", text).group(1))
    args_text = re.search(r"# args = (.*)", text).group(1)
    args = [np.array(ast.literal_eval(a.args[0])) if isinstance(a, ast.Call) else ast.literal_eval(a)
            for a in ast.parse(args_text, mode="eval").body.elts]
    return int(seed), int(index), mode, wrt, args


def replay(path, workspace):
    """The outcome of the reproducer at `path` with the current s2s."""
    with open(path) as file:
        text = file.read()
    seed, index, mode, wrt, args = parse(text)
    case = runner.case_for(workspace, text, args, wrt, seed, index)
    return case.run(mode, timeout=runner.MODE_TIMEOUT_S)


def shrink_file(path, workspace, outcome, budget_s):
    """Shrink the program in `path` further while it fails the same way; rewrite the file."""
    with open(path) as file:
        text = file.read()
    seed, index, mode, wrt, args = parse(text)
    header, _, source = text.partition("\n\n")
    failure = runner.Result(index, source, args, wrt, {mode: outcome})
    reproduction = runner.Reproduction(workspace, failure, mode, seed)
    small = shrink.shrink(source, reproduction, budget_s)
    with open(path, "w") as file:
        file.write(runner.reproducer_text(seed, failure, mode, small, reproduction.outcome))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.replay")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--shrink", type=float, default=0, metavar="SECONDS", help="shrink failing files further")
    options = parser.parse_args(argv)
    workspace = runner.Workspace()
    failing = 0
    for path in options.paths:
        try:
            outcome = replay(path, workspace)
        except check.Rejected as error:
            outcome = check.Outcome("rejected", str(error))
        fails = outcome.klass in ("wrong", "crash", "mutated")
        failing += fails
        print(f"{path}: {outcome.klass} {outcome.detail}", flush=True)
        if fails and options.shrink:
            shrink_file(path, workspace, outcome, options.shrink)
    workspace.close()
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
