"""The cache of generated derivative modules: in memory, then on disk, and its counters.

A derivative is generated once per (function, mode, wrt, argument kinds) and process:
asking again, from any thread, returns the same generated function. Threads asking
for the same derivative at once wait for one of them to generate it; different
derivatives generate concurrently. A derivative of a derivative is keyed by what the
inner one is (its kind, mode, wrt and function), not by the object: `s2s.hvp(f)` made
anew for each call finds the module made for the first.

Below that sit the entries, keyed by what the code depends on (`DiskKey`): in memory,
then on disk (`diskcache`). A function object never seen before whose code is known
(a closure made anew at each step, `lambda w: loss(w, X[i])`) loads the module text
again bound to its own scope, and a new process loads the modules an earlier one
wrote, instead of transforming again.

Memory is bounded: at most $S2S_MEMORY_CACHE_SIZE (default 256) modules and as many
entries, the least recently used forgotten first (a derivative object keeps the
modules it uses).
"""
import collections
import json
import os
import sys
import threading
import typing

import numpy as np

from . import __version__, diskcache, emit, fingerprint, recipes

_lock = threading.RLock()  # guards the dicts and counters below, never held while generating
_memory = collections.OrderedDict()  # key -> generated module, least recently used first
_entries = collections.OrderedDict()  # DiskKey fields as JSON -> an entry as diskcache.read gives it
DEFAULT_MEMORY_SIZE = 256
_generating = {}  # key -> the lock a thread holds while generating that key
_counts = {"memory_hits": 0, "disk_hits": 0, "misses": 0}


class CacheInfo(typing.NamedTuple):
    memory_hits: int
    disk_hits: int
    misses: int
    entries: int


class DiskKey:
    """What identifies a derivative across processes, computed without transforming.

    The source of the function and of the user functions it reaches (and what their
    free names refer to), the rules in use, the mode, wrt, argument kinds and options,
    and the versions of s2s, Python and NumPy.
    """

    def __init__(self, func, mode, wrt, kinds, options=None):
        self.func, self.mode, self.wrt, self.kinds = func, mode, wrt, kinds
        self.options = options or {}
        self._fingerprint = None
        self._fields = None

    @property
    def functions(self):
        self.fields()
        return self._fingerprint.functions if self._fingerprint else {}

    def fields(self):
        """The key as a JSON-able dict, or None where the code cannot be identified."""
        if self._fields is None:
            try:
                self._fields = self._compute() or False
            except Exception:  # noqa: BLE001 - the disk cache never breaks differentiation
                self._fingerprint, self._fields = None, False
        return self._fields or None

    def _compute(self):
        self._fingerprint = fingerprint.fingerprint(self.func)
        if self._fingerprint is None:
            return None
        return {
            "function": fingerprint.function_key(getattr(self.func, "__func__", self.func)),
            "code": self._fingerprint.digest,
            "rules": fingerprint.rules_digest(),
            "compiler": fingerprint.compiler_digest(),
            "mode": str(self.mode),
            "wrt": repr(self.wrt),
            "kinds": repr(self.kinds),
            "options": repr(sorted(self.options.items())),
            "s2s": __version__,
            "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
            "numpy": np.__version__,
        }


def memory_size():
    """How many modules (and entries) memory holds: $S2S_MEMORY_CACHE_SIZE, else the default."""
    try:
        return max(1, int(os.environ.get("S2S_MEMORY_CACHE_SIZE", DEFAULT_MEMORY_SIZE)))
    except ValueError:
        return DEFAULT_MEMORY_SIZE


def _remember(table, key, value):
    """Keep `value` as the most recently used, forgetting the least recently used past the size."""
    with _lock:
        table[key] = value
        table.move_to_end(key)
        while len(table) > memory_size():
            table.popitem(last=False)


def lookup(key, generate, disk=None, load=None):
    """The cached value for `key`, else from an entry (in memory, else on disk), else
    `generate()` (once per key).

    disk: a DiskKey, and load(text, namespace, entry) -> value rebuilds a value from an
    entry; values kept as entries need `text`, `namespace` and `entry` attributes.
    """
    with _lock:
        if key in _memory:
            _counts["memory_hits"] += 1
            _memory.move_to_end(key)
            return _memory[key]
        key_lock = _generating.setdefault(key, threading.RLock())
    with key_lock:
        with _lock:
            if key in _memory:  # another thread generated it while this one waited
                _counts["memory_hits"] += 1
                return _memory[key]
        keyed = disk is not None and load is not None
        value, counter = None, "misses"
        if keyed:
            value, counter = _quietly(_from_entry, disk, load) or (None, "misses")
        if value is None:
            value = generate()
            if keyed:
                _quietly(_keep_entry, disk, value)
        with _lock:
            _counts[counter] += 1
            _generating.pop(key, None)
        _remember(_memory, key, value)
        return value


def forget(key):
    """Drop a stale entry from memory (code generated for a function since rebound)."""
    with _lock:
        _memory.pop(key, None)


def _quietly(action, *args):
    """Entry work: any failure only means a transform (or no entry kept)."""
    try:
        return action(*args)
    except Exception:  # noqa: BLE001 - the cache never breaks differentiation
        return None


def _entry_key(fields):
    return json.dumps(fields, sort_keys=True)


def _from_entry(disk, load):
    """(value, counter) from a valid entry in memory or on disk, or None (absent, corrupt,
    or not loadable)."""
    fields = disk.fields()
    if fields is None:
        return None
    with _lock:
        stored = _entries.get(_entry_key(fields))
    counter = "memory_hits"
    if stored is None and diskcache.enabled():
        stored, counter = diskcache.read(fields), "disk_hits"
    if stored is None:
        return None
    namespace = {name: recipes.resolve(r, disk.functions) for name, r in stored["recipes"].items()}
    origins = {
        name: (disk.functions[r["scope"]], r["name"]) for name, r in stored["recipes"].items() if isinstance(r, dict) and "scope" in r
    }
    namespace = emit.Bindings(namespace, origins, stored["lines"])  # the scope names, watched like a fresh module's
    value = load(stored["text"], namespace, stored["entry"])
    _remember(_entries, _entry_key(fields), stored)
    return value, counter


def _keep_entry(disk, value):
    """Keep a generated module as an entry, in memory and on disk; False where it cannot
    be (its code cannot be identified, or a binding could not be found again)."""
    fields = disk.fields()
    text, namespace, entry = (getattr(value, a, None) for a in ("text", "namespace", "entry"))
    if fields is None or not isinstance(text, str) or not isinstance(entry, str) or not isinstance(namespace, dict):
        return False
    origins = getattr(namespace, "origins", {})
    found = {}
    for name, obj in namespace.items():
        r = recipes.recipe(obj, origins.get(name), disk.functions)
        if r is None:
            return False  # a binding nothing could find again: this module only
        found[name] = r
    lines = dict(getattr(namespace, "lines", None) or {})
    _remember(_entries, _entry_key(fields), {"text": text, "entry": entry, "recipes": found, "lines": lines})
    return diskcache.write(fields, text, entry, found, lines) if diskcache.enabled() else True


def cache_info():
    """Counts of cache use in this process: memory_hits, disk_hits, misses, entries."""
    with _lock:
        return CacheInfo(entries=len(_memory), **_counts)


def clear_cache(disk=False):
    """Forget the generated modules and entries held in memory and reset the counters.

    disk=True also removes the entries of the disk cache.
    """
    with _lock:
        _memory.clear()
        _entries.clear()
        for k in _counts:
            _counts[k] = 0
    if disk:
        diskcache.clear()
