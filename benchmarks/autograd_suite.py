"""Run autograd's own test suite through s2s and count what passes, per file.

    python benchmarks/autograd_suite.py /path/to/autograd/tests [pytest args: files, -k ...]
    python benchmarks/autograd_suite.py /path/to/autograd/tests --autograd   # the reference count

autograd's tests are not part of s2s: get them from autograd's source distribution
(`pip download autograd==1.9.1 --no-deps --no-binary :all:`, then unpack its tests/).
They run against the stand-in package in benchmarks/autograd_adapter/ (put first on
the path): `autograd.numpy` is NumPy, `autograd.scipy` SciPy, and `grad`, `jacobian`,
`make_vjp`, ... are s2s's; `check_grads` checks s2s's derivatives in both modes and to
the order asked against central differences. With --autograd the tests run on the
real autograd, which is the reference (1.9.1 passes 618 of its 631 tests).
"""
import argparse
import collections
import os
import pathlib
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree

ROOT = pathlib.Path(__file__).resolve().parent.parent
ADAPTER = ROOT / "benchmarks" / "autograd_adapter"


def run(tests, pytest_args, real_autograd, seconds):
    with tempfile.TemporaryDirectory() as scratch:
        report = pathlib.Path(scratch) / "report.xml"
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", S2S_TEST_SECONDS=str(seconds))
        plugins = []
        if not real_autograd:
            env["PYTHONPATH"] = os.pathsep.join([str(ADAPTER), str(ROOT), env.get("PYTHONPATH", "")])
            plugins = ["-p", "s2s_adapter_timeout"]
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugins, f"--junitxml={report}",
                   "--tb=no", "-W", "ignore", *pytest_args]
        subprocess.run(command, cwd=tests, env=env)
        return ElementTree.parse(report).getroot()


def outcomes(root):
    """{file: Counter(passed=, failed=, skipped=)} and [(test, first line of why it
    failed)] from a JUnit report."""
    per_file, failures = collections.defaultdict(collections.Counter), []
    for case in root.iter("testcase"):
        name = case.get("classname", "").split(".")[-1] + ".py"
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed"
                why = (child.get("message") or child.text or "").strip().splitlines()
                failures.append((f"{name}::{case.get('name')}", why[0][:160] if why else ""))
            elif child.tag == "skipped":
                outcome = "skipped"
        per_file[name][outcome] += 1
    return per_file, failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tests", type=pathlib.Path, help="autograd's tests/ folder")
    parser.add_argument("--autograd", action="store_true", help="run on the real autograd (the reference)")
    parser.add_argument("--seconds", type=int, default=120, help="a test running longer fails (default 120)")
    parser.add_argument("--failures", action="store_true", help="also list each failure and the first line of why")
    args, pytest_args = parser.parse_known_args()
    per_file, failures = outcomes(run(args.tests.resolve(), pytest_args or ["."], args.autograd, args.seconds))
    if args.failures:
        for test, why in failures:
            print(f"FAILED {test}: {why}")
    total = collections.Counter()
    print(f"{'file':28} {'passed':>7} {'failed':>7} {'skipped':>8}")
    for name in sorted(per_file):
        c = per_file[name]
        total.update(c)
        print(f"{name:28} {c['passed']:7} {c['failed']:7} {c['skipped']:8}")
    print(f"{'total':28} {total['passed']:7} {total['failed']:7} {total['skipped']:8}")


if __name__ == "__main__":
    main()
