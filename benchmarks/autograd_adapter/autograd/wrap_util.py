"""unary_to_nary: an operator on f(x) made an operator on f(*args) by argument number."""


def unary_to_nary(unary_operator):
    def nary_operator(fun, argnum=0, *op_args, **op_kwargs):
        def nary_f(*args, **kwargs):
            before, after = args[:argnum], args[argnum + 1:]

            def unary_f(x):
                return fun(*before, x, *after, **kwargs)

            return unary_operator(unary_f, args[argnum], *op_args, **op_kwargs)

        return nary_f

    return nary_operator
