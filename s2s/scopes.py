"""What a user function's free names are bound to now, and keeping generated code in step.

Generated code is specialized at transform time on the functions, classes and modules
a derivative calls, but must read data (arrays, numbers, lists held in module globals
or closure cells) as the user's function does: when it runs. A `ScopeWatch` is made
for each generated module from the names it took from user scopes; before each call it
copies the current data values into the module, and reports a rebound function, class
or module, for which the derivative is generated anew.
"""
import builtins
import types

_MISSING = object()


GENERATED_FOR = "_s2s_generated_for_"  # module names of what the code was generated for
ORIGINS = "__s2s_origins__"  # a generated module's global: its names' user-scope origins


def user_origin(function, name):
    """(function, name) in a user's scope that `name`, read by `function`, comes from: for
    generated code differentiated again (a derivative of a derivative), where its module
    took the name, so that the outer derivative reads the user's value when it runs."""
    inner = getattr(function, "__globals__", {}).get(ORIGINS, {}).get(name)
    return user_origin(*inner) if inner is not None else (function, name)


def generated_definition(function, name):
    """Whether `name`, read by `function`, is a function that `function`'s own generated
    module defines (`f_forward` of a derivative differentiated again): no user rebinds
    it, so there is nothing to watch (and an entry needs no recipe for it)."""
    module_globals = getattr(function, "__globals__", {})
    origins = module_globals.get(ORIGINS)
    if origins is None or name in origins:
        return False  # not generated code, or a name it took from a user's scope
    return getattr(module_globals.get(name), "__module__", None) == module_globals.get("__name__")


def current(function, name):
    """The object `name` (or a dotted `name.attribute`) refers to in `function`'s scope
    now (closure, globals, builtins); LookupError where it is unbound."""
    if not isinstance(name, str):
        raise LookupError("malformed name")
    if "." in name:
        head, *attributes = name.split(".")
        obj = current(function, head)
        for attribute in attributes:
            try:
                obj = getattr(obj, attribute)
            except AttributeError:
                raise LookupError(f"{name!r} is not bound in the scope of {function.__qualname__}") from None
        return obj
    if function.__closure__:
        for free, cell in zip(function.__code__.co_freevars, function.__closure__):
            if free == name:
                try:
                    return cell.cell_contents
                except ValueError:
                    break
    if name in function.__globals__:
        return function.__globals__[name]
    obj = getattr(builtins, name, _MISSING)
    if obj is _MISSING:
        raise LookupError(f"{name!r} is not bound in the scope of {function.__qualname__}")
    return obj


def _is_specialized_on(obj):
    """Code is generated for what it calls and reads attributes of statically; data is read at run time."""
    return callable(obj) or isinstance(obj, types.ModuleType)


class ScopeWatch:
    """The user-scope names of one generated module (`origins`: module name -> (function,
    name in its scope)), checked and refreshed before each call."""

    def __init__(self, module_dict, origins):
        self.module_dict = module_dict
        self.data = []  # (module name, function, scope name, type of the value generated for)
        self.specialized = []  # (function, scope name, object generated for)
        for module_name, (function, scope_name) in origins.items():
            obj = module_dict.get(module_name, _MISSING)
            if _is_specialized_on(obj) or module_name.startswith(GENERATED_FOR):
                self.specialized.append((function, scope_name, obj))
            else:
                self.data.append((module_name, function, scope_name, type(obj)))
        self.idle = not self.data and not self.specialized  # nothing to check: every call of saxpy asks

    def refresh(self):
        """Copy the data values into the module; False if a specialized-on name was rebound,
        or a data value changed type (the analyses took a number for immutable)."""
        for function, scope_name, obj in self.specialized:
            try:
                if current(function, scope_name) is not obj:
                    return False
            except LookupError:
                return False
        for module_name, function, scope_name, kind in self.data:
            value = current(function, scope_name)
            if type(value) is not kind:
                return False
            self.module_dict[module_name] = value
        return True
