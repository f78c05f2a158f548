"""Facts that passes attach to gast nodes (resolved objects, source locations)."""

_KEY = "_s2s_anno"


class _Facts(dict):
    """Copying a tree copies its facts, but not the objects they refer to (modules...)."""

    def __deepcopy__(self, memo):
        return _Facts(self)


def get(node, key, default=None):
    return getattr(node, _KEY, {}).get(key, default)


def set(node, key, value):  # noqa: A001 - mirrors dict vocabulary
    if not hasattr(node, _KEY):
        setattr(node, _KEY, _Facts())
    getattr(node, _KEY)[key] = value


def has(node, key):
    return key in getattr(node, _KEY, {})
