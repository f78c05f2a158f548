"""Compile generated modules under a real file name, registered with linecache.

The source is written to `<cache dir>/generated/<module>_<sha>.py` (when the disk cache
is on and writable), so tracebacks, pdb, editors and `inspect.getsource` show the
generated lines; it is compiled from the text in memory, never read back from that
file. Without a writable cache the file name is synthetic, and linecache alone serves
the lines.
"""
import hashlib
import linecache
import os
import types

from . import atomic, diskcache

GENERATED_DIR = "<s2s-generated>"
MODULE_PREFIX = "s2s_generated."  # the __module__ of every generated function


def load_module(source, namespace, module_name):
    """Execute `source` as a new module; returns the module object."""
    digest = hashlib.sha256(source.encode()).hexdigest()[:12]
    filename = _source_file(f"{module_name}_{digest}.py", source) or f"{GENERATED_DIR}/{module_name}_{digest}.py"
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    module = types.ModuleType(f"{MODULE_PREFIX}{module_name}_{digest}")
    module.__file__ = filename
    module.__dict__.update(namespace)
    code = compile(source, filename, "exec")
    exec(code, module.__dict__)
    return module


def _source_file(basename, source):
    """The path of a file holding `source`, written if need be; None if it cannot be."""
    if not diskcache.enabled():
        return None
    folder = os.path.join(diskcache.directory(), diskcache.GENERATED)
    path = os.path.join(folder, basename)
    try:
        if not os.path.exists(path):  # the name holds the source's hash
            diskcache.make_directory(folder)
            atomic.write_text(path, source, mode=0o600)
    except OSError:
        return None
    return path
