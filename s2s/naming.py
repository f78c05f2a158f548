"""Fresh, readable names that never collide with the user's."""
import gast

from .syntax import walk


class Namer:
    """Hands out names not used anywhere in the code being generated."""

    def __init__(self, taken=()):
        self.taken = set(taken)
        self._adjoints = {}
        self._suffixes = {}  # base -> the suffix to try first: the ones below it are taken

    @classmethod
    def for_function(cls, fn_node):
        return cls(n.id for n in walk(fn_node) if isinstance(n, gast.Name))

    def fresh(self, base):
        name, i = base, self._suffixes.get(base, 2)
        while name in self.taken:
            name, i = f"{base}{i}", i + 1
        self._suffixes[base] = i
        self.taken.add(name)
        return name

    def derivative(self, name, prefix="d"):
        """The name of the adjoint or tangent of `name`: `dW` for `W`."""
        key = (prefix, name)
        if key not in self._adjoints:
            base = f"{prefix}{name}" if not name.startswith("_") else f"{prefix}{name}"
            self._adjoints[key] = self.fresh(base if base not in self.taken else f"{prefix}_{name}")
        return self._adjoints[key]

    def primals(self, prefix="d"):
        """{derivative name: primal name} of the derivatives named so far."""
        return {d: primal for (p, primal), d in self._adjoints.items() if p == prefix}


def identifier(name):
    """A name usable in generated code for a function named `name` (`<lambda>` is not)."""
    return name if name.isidentifier() else "_lambda"
