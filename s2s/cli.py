"""The command line: `s2s grad` prints or writes one derivative, `s2s build` all of a project's.

    s2s grad FILE:FUNC [--wrt NAME ...] [--mode reverse|forward] [-o OUT]
    s2s build [--check] [--config PYPROJECT]
    s2s cache info | clear

Exit status: 0 done, 1 `build --check` found stale or missing outputs, 2 an error
(reported as one line on stderr, with nothing written).
"""
import argparse
import os
import sys
import traceback

from . import __version__, diskcache
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

    cache_ = commands.add_parser("cache", help="show or clear the disk cache of generated derivatives")
    cache_.add_argument("action", choices=("info", "clear"), help="info: where it is, its size and limit; clear: empty it")
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        if args.command == "grad":
            return _grad(args)
        if args.command == "cache":
            return _cache(args)
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


def _cache(args):
    where = diskcache.directory()
    if args.action == "clear":
        print(f"removed {diskcache.clear()} file(s) from {where}")
        return 0
    entries, generated, size = diskcache.usage()
    state = "on" if diskcache.enabled() else "off (S2S_DISK_CACHE)"
    print(f"directory: {where}  (S2S_CACHE_DIR)")
    print(f"disk cache: {state}")
    print(f"size: {_size(size)} in {entries} derivative(s) and {generated} generated file(s)")
    print(f"limit: {_size(diskcache.limit())}  (S2S_CACHE_MAX_MB; the least recently used files go first)")
    return 0


def _size(size):
    return f"{size / 1024:.1f} kB" if size < 1024 * 1024 else f"{size / (1024 * 1024):.1f} MB"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
