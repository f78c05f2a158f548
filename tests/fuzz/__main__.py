"""python -m tests.fuzz --programs 10000 --seed 1 [--modes grad,jvp] [--jobs 2] [--without rebinding,aliasing]"""
import argparse
import os

from . import check, generator, runner


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description="Differential fuzzing of s2s.")
    parser.add_argument("--programs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--modes", default=",".join(check.MODES), help=f"comma-separated, of {', '.join(check.MODES)}")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--without", default="", help=f"construct families to leave out: {', '.join(generator.FAMILIES)}")
    parser.add_argument("--out", default="/tmp/s2s-fuzz", help="directory for the shrunk reproducers")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds one program may take in all modes")
    parser.add_argument("--shrink-budget", type=float, default=30.0, help="seconds of shrinking per reproducer")
    parser.add_argument("--per-bug", type=int, default=1, help="reproducers written per kind of failure")
    parser.add_argument("--refusals", action="store_true", help="also write reproducers of each kind of TransformError")
    options = parser.parse_args(argv)
    modes = [m for m in options.modes.split(",") if m]
    unknown = set(modes) - set(check.MODES)
    if unknown:
        parser.error(f"unknown modes {sorted(unknown)}")
    profile = generator.profile_without([f for f in options.without.split(",") if f])
    runner.run(options.seed, options.programs, modes, profile, options.jobs, options.out, options.timeout,
               options.shrink_budget, options.per_bug, options.refusals)


if __name__ == "__main__":
    main()
