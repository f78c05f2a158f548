"""A stand-in for Tangent's runtime API, as its test corpus calls it (see
benchmarks/tangent_corpus.py): its gradient hook is s2s's, its stack a list."""
import s2s

insert_grad_of = s2s.insert_grad_of
Stack = list


def push(stack, value, op_id):
    stack.append(value)


def pop(stack, op_id):
    return stack.pop()


def trace(function):
    return function
