"""The seed MLP: a loss over a list of (W, b) layers, its gradient, and its code.

    python examples/mlp.py
"""
import numpy as np

import s2s


def predict(params, inputs):
    for W, b in params:
        outputs = np.dot(inputs, W) + b
        inputs = np.tanh(outputs)
    return outputs


def logprob(params, inputs, targets):
    preds = predict(params, inputs)
    return np.sum((preds - targets) ** 2)


def init_params(scale, sizes, rs):
    return [(rs.randn(m, n) * scale, rs.randn(n) * scale) for m, n in zip(sizes[:-1], sizes[1:])]


if __name__ == "__main__":
    rs = np.random.RandomState(0)
    params = init_params(0.5, [4, 8, 3], rs)
    inputs, targets = rs.randn(16, 4), rs.randn(16, 3)
    dlogprob = s2s.grad(logprob)
    for step in range(101):
        grads = dlogprob(params, inputs, targets)
        params = [(W - 0.01 * dW, b - 0.01 * db) for (W, b), (dW, db) in zip(params, grads)]
        if step % 20 == 0:
            print(f"step {step:3d}  loss {logprob(params, inputs, targets):8.4f}")
    print()
    print("The generated gradient:")
    print(s2s.source(dlogprob))
