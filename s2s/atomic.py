"""Write a file atomically: a reader sees the old content or the new one, never half.

The text goes to a temporary file in the same directory, which then replaces the
target with `os.replace` (atomic on POSIX and Windows).
"""
import os
import secrets


def write_text(path, text, mode=None):
    """Write `text` (UTF-8, newlines as given) to `path` atomically.

    mode: the new file's permission bits (for example 0o600); by default those of the
    file it replaces, or 0o666 less the umask for a new file.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if mode is None:
        try:
            mode = os.stat(path).st_mode & 0o7777
        except OSError:
            mode = None
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666 if mode is None else mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8"))
        if mode is not None:
            os.chmod(tmp, mode)  # the umask may have cleared bits of an existing file's mode
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
