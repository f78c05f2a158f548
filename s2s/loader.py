"""Compile generated modules under a real file name, registered with linecache.

The source is written to `<cache dir>/generated/<module>_<sha>.py` (with the disk cache
off: to a temporary folder of the process, removed at exit), so tracebacks, pdb,
editors and `inspect.getsource` show the generated lines; it is compiled from the text
in memory, never read back from that file. Where no file can be written the name is
synthetic, and linecache alone serves the lines.

Each generated line made from a line of the user's code ends in a comment naming it,
`# source: File "model.py", line 12`, so a traceback through generated code, and pdb,
show where in the user's code the failing operation came from.
"""
import atexit
import functools
import hashlib
import linecache
import os
import shutil
import tempfile
import types

from . import atomic, diskcache
from .scopes import ORIGINS

GENERATED_DIR = "<s2s-generated>"
MODULE_PREFIX = "s2s_generated."  # the __module__ of every generated function
_filenames = set()  # of the modules loaded in this process (for s2s.debug)


def load_module(source, namespace, module_name):
    """Execute `source` as a new module; returns the module object.

    namespace: its names' objects; its `lines` attribute (if any) maps lines of
    `source` to the (file, line) of the user's code they came from.
    """
    source = with_origins(source, getattr(namespace, "lines", {}))
    digest = hashlib.sha256(source.encode()).hexdigest()[:12]
    filename = _source_file(f"{module_name}_{digest}.py", source) or f"{GENERATED_DIR}/{module_name}_{digest}.py"
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    _filenames.add(filename)
    module = types.ModuleType(f"{MODULE_PREFIX}{module_name}_{digest}")
    module.__file__ = filename
    module.__dict__.update(namespace)
    module.__dict__[ORIGINS] = dict(getattr(namespace, "origins", {}))
    code = compile(source, filename, "exec")
    exec(code, module.__dict__)
    return module


def _source_file(basename, source):
    """The path of a file holding `source`, written if need be; None if it cannot be."""
    try:
        folder = os.path.join(diskcache.directory(), diskcache.GENERATED) if diskcache.enabled() else _private_folder()
        path = os.path.join(folder, basename)
        if os.path.exists(path):  # the name holds the source's hash
            diskcache.touch(path)
        else:
            diskcache.make_directory(folder)
            atomic.write_text(path, source, mode=0o600)
    except OSError:
        return None
    return path


def is_generated(filename):
    """Whether `filename` is that of a module this process generated and loaded."""
    return filename in _filenames


@functools.lru_cache(maxsize=None)
def _private_folder():
    """With the disk cache off: this process's own folder, removed when it exits.
    (Python 3.10-3.12 print an uncaught exception's lines from the file alone.)"""
    folder = tempfile.mkdtemp(prefix="s2s-generated-")
    atexit.register(shutil.rmtree, folder, True)
    return folder


def with_origins(source, origins):
    """`source` with a comment naming the user's file and line after each line in `origins`."""
    if not origins:
        return source
    lines = source.split("\n")
    for number, (filename, line) in origins.items():
        if 0 < number <= len(lines):
            lines[number - 1] += f'  # source: File "{filename}", line {line}'
    return "\n".join(lines)

