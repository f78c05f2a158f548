"""s2s traces nothing: no value is ever a box."""
from .extend import primitive  # noqa: F401


def isbox(value):
    return False
