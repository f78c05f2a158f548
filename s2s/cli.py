"""The command line: `s2s grad` prints or writes one derivative, `s2s build` all of a project's.

    s2s grad FILE:FUNC [--wrt NAME ...] [--mode reverse|forward] [-o OUT]
    s2s build [--check] [--config PYPROJECT]

Exit status: 0 done, 1 `build --check` found stale or missing outputs, 2 an error
(reported as one line on stderr, with nothing written).
"""
import argparse
import os
import sys
import traceback

from . import __version__
from .errors import TransformError
from .targets import MODES, Target, TargetError, build, check_directory, find_pyproject, parse_wrt, write

EXIT_STALE = 1
EXIT_ERROR = 2


def _parser():
    parser = argparse.ArgumentParser(prog="s2s", description="Source-to-source automatic differentiation for Python and NumPy.")
    parser.add_argument("--version", action="version", version=f"s2s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    grad = commands.add_parser("grad", help="print or write the derivative of a function as a standalone module")
    grad.add_argument("function", metavar="FILE:FUNC", help="the function, for example model.py:loss")
    grad.add_argument("--wrt", action="extend", nargs="+", metavar="NAME",
                      help="parameter(s) to differentiate with respect to (default: the first)")
    grad.add_argument("--mode", choices=MODES, default="reverse", help="reverse (gradient, default) or forward (jvp)")
    grad.add_argument("-o", "--output", metavar="OUT",
                      help="write the module to OUT (in an existing directory) instead of printing it")

    build_ = commands.add_parser("build", help="regenerate the [tool.s2s] targets of pyproject.toml")
    build_.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 naming each output that is stale or missing")
    build_.add_argument("--config", metavar="PYPROJECT", help="the pyproject.toml (default: found from the current directory up)")
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        if args.command == "grad":
            return _grad(args)
        return _build(args)
    except (TargetError, TransformError) as exc:
        return _error(str(exc))
    except KeyboardInterrupt:
        return _error("interrupted")
    except Exception as exc:  # noqa: BLE001 - report, don't dump a traceback on users
        if os.environ.get("S2S_TRACEBACK"):
            traceback.print_exc()
        return _error(f"internal error: {type(exc).__name__}: {exc} (set S2S_TRACEBACK=1 to see where)")


def _error(message):
    print(f"s2s: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _grad(args):
    wrt = parse_wrt(args.wrt)
    command = " ".join(["s2s", "grad", args.function] + [f"--wrt {w}" for w in wrt]
                       + ([f"--mode {args.mode}"] if args.mode != "reverse" else [])
                       + ([f"-o {args.output}"] if args.output else []))
    if args.output:
        check_directory(args.output)
    target = Target(args.function, wrt, args.mode, args.output)
    text = target.render(os.getcwd(), command)
    if args.output:
        write(args.output, text)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:  # `s2s grad ... | head`
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _build(args):
    pyproject = args.config or find_pyproject(os.getcwd())
    results = build(pyproject, check=args.check)
    bad = [(path, status) for path, status in results if status in ("stale", "missing")]
    for path, status in results:
        if status in ("stale", "missing"):
            print(f"{path}: {status} (regenerate with: s2s build)")
        else:
            print(f"{path}: {status}")
    if bad:
        print(f"s2s build --check: {len(bad)} of {len(results)} generated file(s) out of date", file=sys.stderr)
        return EXIT_STALE
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
