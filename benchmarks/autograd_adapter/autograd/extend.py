"""primitive and defvjp/defjvp: autograd's rule makers as s2s rules.

autograd's vjp maker `(ans, *args) -> (g -> gradient)` becomes the s2s adjoint
`d[x] = maker(result, *args)(d[result])`; a jvp maker `(g, ans, *args) -> tangent`
the tangent `d[result] = maker(d[x], result, *args) + ...`.
"""
import inspect

import s2s

primitive_vjps = {}


def primitive(fun):
    return s2s.primitive(fun)


def _rule(mode, fun, makers, argnums, line):
    params = list(inspect.signature(fun).parameters)
    argnums = argnums or range(len(makers))
    args = ", ".join(params)
    body = line(params, argnums, args)
    source = f"def rule(result, {args}):\n{body}"
    namespace = {"_makers": makers}
    exec(compile(source, f"<autograd adapter {fun.__name__}>", "exec"), namespace)
    mode(fun)(namespace["rule"], source=source)


def defvjp(fun, *makers, argnums=None):
    primitive_vjps[fun] = makers

    def lines(params, argnums, args):
        return "".join(f"    d[{params[i]}] = _makers[{k}](result, {args})(d[result])\n"
                       for k, i in enumerate(argnums) if makers[k] is not None)

    _rule(s2s.adjoint, fun, makers, argnums, lines)


def defjvp(fun, *makers, argnums=None):
    def lines(params, argnums, args):
        terms = [f"_makers[{k}](d[{params[i]}], result, {args})" for k, i in enumerate(argnums) if makers[k] is not None]
        return f"    d[result] = {' + '.join(terms)}\n"

    _rule(s2s.tangent, fun, makers, argnums, lines)
