"""Generated modules on disk, shared between processes.

One JSON file per derivative, named by a hash of its key, holding the key itself, the
module text, the entry point, the recipes of its bindings, the user-code origin of its
lines and a sha256 of those four. Files are written atomically and readable by their
owner alone; an entry that is not exactly what was written for this key (truncated,
edited, another key, another owner) is ignored, so a bad file costs a transform, never
runs.

Location: $S2S_CACHE_DIR, else the platform's user cache directory; S2S_DISK_CACHE=0
turns the disk cache off. Size: at most $S2S_CACHE_MAX_MB megabytes (default 100);
past that, writing an entry removes the least recently used files (by modification
time, which reading an entry refreshes) down to 90% of the limit.
"""
import hashlib
import json
import os
import sys

from . import atomic

FORMAT = 2
_SUBDIR = f"v{FORMAT}"
_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_LIMIT_MB = 100
_FIELDS = {"format": int, "key": dict, "text": str, "entry": str, "recipes": dict, "lines": dict, "sha256": str}


def enabled():
    return os.environ.get("S2S_DISK_CACHE", "1").strip().lower() not in ("0", "false", "no", "off")


def directory():
    """The cache's root directory (not created here)."""
    configured = os.environ.get("S2S_CACHE_DIR")
    if configured:
        return os.path.abspath(os.path.expanduser(configured))
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser(r"~\AppData\Local")
        return os.path.join(base, "s2s", "Cache")
    if sys.platform == "darwin":
        return os.path.expanduser("~/Library/Caches/s2s")
    base = os.environ.get("XDG_CACHE_HOME")
    if not base or not os.path.isabs(base):
        base = os.path.expanduser("~/.cache")
    return os.path.join(base, "s2s")


def _canonical(key):
    return json.loads(json.dumps(key, sort_keys=True))


def path_for(key):
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()
    return os.path.join(directory(), _SUBDIR, f"{digest}.json")


def read(key):
    """The stored {"text", "entry", "recipes", "lines"} for `key`, or None (absent or not valid).

    lines: {line of text: (file, line of the user's code)}.
    """
    path = path_for(key)
    try:
        with open(path, "rb") as f:
            if not _trusted(os.fstat(f.fileno())):
                return None
            raw = f.read(_MAX_BYTES + 1)
    except OSError:
        return None
    if len(raw) > _MAX_BYTES:
        return None
    try:
        entry = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(entry, dict) or set(entry) != set(_FIELDS):
        return None
    if any(type(entry[field]) is not kind for field, kind in _FIELDS.items()):
        return None
    if entry["format"] != FORMAT or entry["key"] != _canonical(key):
        return None
    if _digest(entry["text"], entry["entry"], entry["recipes"], entry["lines"]) != entry["sha256"]:
        return None
    if not entry["entry"].isidentifier() or not all(isinstance(r, dict) and n.isidentifier() for n, r in entry["recipes"].items()):
        return None
    lines = _lines_from_json(entry["lines"])
    if lines is None:
        return None
    touch(path)
    return {"text": entry["text"], "entry": entry["entry"], "recipes": entry["recipes"], "lines": lines}


def _lines_to_json(lines):
    """{file: [[line of text, line of file], ...]}: each file named once."""
    by_file = {}
    for number, (filename, line) in sorted(lines.items()):
        by_file.setdefault(filename, []).append([number, line])
    return by_file


def _lines_from_json(by_file):
    lines = {}
    for filename, pairs in by_file.items():
        if not isinstance(pairs, list):
            return None
        for pair in pairs:
            if not (isinstance(pair, list) and len(pair) == 2 and all(type(n) is int for n in pair)):
                return None
            lines[pair[0]] = (filename, pair[1])
    return lines


def _digest(text, entry, recipes, lines):
    """sha256 of what an entry stores: a truncated or edited file does not match it."""
    stored = json.dumps([text, entry, recipes, lines], sort_keys=True)
    return hashlib.sha256(stored.encode("utf-8", "surrogatepass")).hexdigest()


def _trusted(st):
    """Written by this user and writable by nobody else (POSIX); any file elsewhere."""
    if not hasattr(os, "getuid"):
        return True
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def write(key, text, entry, recipes, lines=None):
    """Store an entry for `key`; False where the cache directory cannot be written."""
    path = path_for(key)
    lines = _lines_to_json(lines or {})
    record = {
        "format": FORMAT,
        "key": _canonical(key),
        "text": text,
        "entry": entry,
        "recipes": recipes,
        "lines": lines,
        "sha256": _digest(text, entry, recipes, lines),
    }
    try:
        make_directory(os.path.dirname(path))
        atomic.write_text(path, json.dumps(record, sort_keys=True), mode=0o600)
    except OSError:
        return False
    prune()
    return True


def make_directory(path):
    """Create `path` (and its parent, the cache root) readable by the owner only."""
    root = os.path.dirname(path)
    for d in (root, path):
        if not os.path.isdir(d):
            os.makedirs(d, mode=0o700, exist_ok=True)
            os.chmod(d, 0o700)  # the umask may have loosened it


GENERATED = "generated"  # the generated modules as .py files, for tracebacks and editors


def touch(path):
    """Mark a file as just used (pruning removes the least recently used first)."""
    try:
        os.utime(path)
    except OSError:
        pass


def limit():
    """The size limit in bytes: $S2S_CACHE_MAX_MB megabytes, else DEFAULT_LIMIT_MB."""
    try:
        megabytes = float(os.environ.get("S2S_CACHE_MAX_MB", DEFAULT_LIMIT_MB))
    except ValueError:
        megabytes = DEFAULT_LIMIT_MB
    return max(0, int(megabytes * 1024 * 1024))


def _folders():
    """(folder, suffix) of the entries (of every format) and of the generated files."""
    try:
        formats = [d for d in os.listdir(directory()) if d[:1] == "v" and d[1:].isdigit()]
    except OSError:
        formats = []
    return [(os.path.join(directory(), d), ".json") for d in formats] + [(os.path.join(directory(), GENERATED), ".py")]


def files():
    """[(path, size, mtime)] of the entries and generated files (temporary files too)."""
    found = []
    for folder, suffix in _folders():
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if name.endswith((suffix, ".tmp")):
                try:
                    st = os.stat(os.path.join(folder, name))
                except OSError:
                    continue
                found.append((os.path.join(folder, name), st.st_size, st.st_mtime))
    return found


def usage():
    """(number of entries, number of generated files, total bytes) on disk."""
    found = files()
    entries = sum(1 for path, _, _ in found if path.endswith(".json"))
    generated = sum(1 for path, _, _ in found if path.endswith(".py"))
    return entries, generated, sum(size for _, size, _ in found)


def prune(max_bytes=None):
    """Over the limit, remove the least recently used files down to 90% of it; returns how many."""
    max_bytes = limit() if max_bytes is None else max_bytes
    found = files()
    total = sum(size for _, size, _ in found)
    if total <= max_bytes:
        return 0
    removed = 0
    for path, size, _ in sorted(found, key=lambda f: f[2]):
        if total <= 0.9 * max_bytes:
            break
        if _remove(path):
            total -= size
            removed += 1
    return removed


def clear():
    """Remove every entry (of any format) and generated file; returns how many."""
    return sum(_remove(path) for path, _, _ in files())


def _remove(path):
    try:
        os.unlink(path)
    except OSError:
        return False
    return True
