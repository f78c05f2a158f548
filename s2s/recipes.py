"""Recipes: how another process finds again the object a generated name is bound to.

A generated module's names are bound to objects (numpy, a runtime helper, a constant
from the user's module). To cache the module on disk, each binding is written as a
small JSON recipe, and read back by looking the object up, never by unpickling:

    {"module": "numpy"}                            an imported module
    {"builtin": "len"}                             a builtin
    {"from": "s2s.runtime", "qualname": "add_at"}  an attribute of an imported module
    {"const": "2.5"}                               a literal (read with ast.literal_eval)
    {"scope": "model:loss", "name": "SCALE"}       a name in a user function's scope

`scope` recipes name a user function by "module:qualname" and are resolved in the
functions the fingerprint walk reached (so closures and `__main__` work).
"""
import ast
import builtins
import sys
import types

from . import scopes
from .fingerprint import function_key

_MISSING = object()
_LITERALS = (type(None), bool, int, float, complex, str, bytes)


def is_literal(value):
    """A value `repr` writes and `ast.literal_eval` reads back as an equal, same-typed value."""
    if type(value) is tuple:
        return all(is_literal(v) for v in value)
    if type(value) not in _LITERALS:
        return False
    try:
        back = ast.literal_eval(repr(value))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return False
    return type(back) is type(value) and (back == value or value != value)


def module_attribute(obj):
    """(module name, qualname) of an imported module attribute that is `obj`, or None."""
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if not isinstance(module, str) or not isinstance(qualname, str) or "<" in qualname:
        return None
    try:
        if _lookup(module, qualname) is obj:
            return module, qualname
    except LookupError:
        pass
    return None


def recipe(obj, origin=None, functions=None):
    """The recipe that finds `obj` again, or None.

    origin: (function, name) when the name was resolved in a user function's scope;
    functions: the fingerprint's "module:qualname" -> function table, which must hold it.
    """
    if origin is not None and functions is not None:
        function, name = origin
        key = function_key(function)
        if functions.get(key) is function:
            return {"scope": key, "name": name}
    if origin is not None and type(obj) in (int, float, complex):
        # a number read from a scope is data the code key leaves out (a closure made anew
        # with another value shares the key): only the scope can give it again
        return None
    if isinstance(obj, types.ModuleType):
        return {"module": obj.__name__} if sys.modules.get(obj.__name__) is obj else None
    name = getattr(obj, "__name__", None)
    if isinstance(name, str) and getattr(builtins, name, _MISSING) is obj:
        return {"builtin": name}
    found = module_attribute(obj)
    if found is not None:
        return {"from": found[0], "qualname": found[1]}
    if is_literal(obj):
        return {"const": repr(obj)}
    return None


def resolve(recipe_, functions):
    """The object a recipe finds; LookupError where it finds none."""
    if not isinstance(recipe_, dict) or len(recipe_) not in (1, 2):
        raise LookupError(f"malformed recipe {recipe_!r}")
    if "module" in recipe_:
        module = sys.modules.get(recipe_["module"])
        if module is None:
            raise LookupError(f"module {recipe_['module']!r} is not imported")
        return module
    if "builtin" in recipe_:
        obj = getattr(builtins, str(recipe_["builtin"]), _MISSING)
        if obj is _MISSING:
            raise LookupError(f"no builtin {recipe_['builtin']!r}")
        return obj
    if "from" in recipe_:
        return _lookup(recipe_["from"], recipe_.get("qualname"))
    if "const" in recipe_:
        try:
            value = ast.literal_eval(recipe_["const"])
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            raise LookupError(f"malformed constant {recipe_['const']!r}") from None
        return value
    if "scope" in recipe_:
        function = functions.get(recipe_["scope"]) if isinstance(recipe_["scope"], str) else None
        if function is None:
            raise LookupError(f"no function {recipe_['scope']!r} among those reached")
        return scopes.current(function, recipe_.get("name"))
    raise LookupError(f"malformed recipe {recipe_!r}")


def _lookup(module_name, qualname):
    """An attribute of a module that is already imported (nothing is imported here)."""
    if not isinstance(module_name, str) or not isinstance(qualname, str):
        raise LookupError("malformed recipe")
    obj = sys.modules.get(module_name)
    if obj is None:
        raise LookupError(f"module {module_name!r} is not imported")
    for part in qualname.split("."):
        obj = getattr(obj, part, _MISSING)
        if obj is _MISSING:
            raise LookupError(f"{module_name} has no {qualname}")
    return obj
