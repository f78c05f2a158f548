"""A shim module is the library module it stands for, plus what the shim adds."""
import importlib


def delegate(namespace, target):
    """Make the module whose globals are `namespace` answer unknown names from `target`."""
    module = importlib.import_module(target) if isinstance(target, str) else target

    def __getattr__(name):
        try:
            return getattr(module, name)
        except AttributeError:
            raise AttributeError(f"{namespace['__name__']} (the adapter's {target}) has no {name}") from None

    namespace["__getattr__"] = __getattr__
