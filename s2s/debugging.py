"""`with s2s.debug(): ...`: stop in pdb at the first line of generated code that runs."""
import contextlib
import sys

from . import loader


@contextlib.contextmanager
def debug(debugger=None):
    """Run the block; the first generated function it calls stops in pdb, at its first line.

    From there `n`, `s`, `p name`, `where` and `c` work as usual; each generated line
    ends with the file and line of the user's code it came from. Debugging ends with
    the block. debugger: a pdb.Pdb (default: a new one on the terminal). Traces the
    current thread only.
    """
    previous = sys.gettrace()

    def watch(frame, event, arg):
        code = frame.f_code
        if event == "call" and code.co_name != "<module>" and loader.is_generated(code.co_filename):
            import pdb  # only here: importing it costs `import s2s` a third of its time

            chosen = debugger or pdb.Pdb()
            chosen.set_trace(frame)  # replaces this trace function with pdb's
            return chosen.trace_dispatch
        return None

    sys.settrace(watch)
    try:
        yield
    finally:
        sys.settrace(previous)  # whether pdb is still stepping or not: the block is over
