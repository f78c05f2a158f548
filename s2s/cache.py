"""The in-memory cache of generated derivative modules, and its counters.

A derivative is generated once per (function, mode, wrt, argument kinds); asking
again, from any thread, returns the same generated function.
"""
import threading
import typing

_lock = threading.RLock()
_memory = {}
_counts = {"memory_hits": 0, "disk_hits": 0, "misses": 0}


class CacheInfo(typing.NamedTuple):
    memory_hits: int
    disk_hits: int
    misses: int
    entries: int


def lookup(key, generate):
    """The cached value for `key`, or `generate()` stored under it (once, under a lock)."""
    with _lock:
        if key in _memory:
            _counts["memory_hits"] += 1
            return _memory[key]
        _counts["misses"] += 1
        value = _memory[key] = generate()
        return value


def cache_info():
    """Counts of cache use in this process: memory_hits, disk_hits, misses, entries."""
    with _lock:
        return CacheInfo(entries=len(_memory), **_counts)


def clear_cache():
    """Forget every generated module held in memory, and reset the counters."""
    with _lock:
        _memory.clear()
        for k in _counts:
            _counts[k] = 0
