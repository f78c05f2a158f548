"""Compile generated modules under a real file name, registered with linecache.

Tracebacks, pdb and `inspect.getsource` then show the generated lines, and s2s can
read generated functions back to differentiate them again.
"""
import hashlib
import linecache
import types

GENERATED_DIR = "<s2s-generated>"


def load_module(source, namespace, module_name):
    """Execute `source` as a new module; returns the module object."""
    digest = hashlib.sha256(source.encode()).hexdigest()[:12]
    filename = f"{GENERATED_DIR}/{module_name}_{digest}.py"
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    module = types.ModuleType(f"s2s_generated.{module_name}_{digest}")
    module.__file__ = filename
    module.__dict__.update(namespace)
    code = compile(source, filename, "exec")
    exec(code, module.__dict__)
    return module
