"""An RNN and an LSTM character model, trained on a few sentences: loss curves and samples.

Both read one-hot characters a time step at a time, in Python loops over the sequence;
the initial hidden state is a parameter, repeated over the batch with np.repeat. s2s
writes backpropagation through time for both.

    python examples/char_rnn.py [--quick] [--out char_rnn.png]
"""
import time

import numpy as np
from _gallery import adam, parse_args, pyplot, save

import s2s

TEXT = (
    "the quick brown fox jumps over the lazy dog. "
    "a gradient is a program, and a program has a gradient. "
    "source to source differentiation writes the backward pass as plain code. "
)


def one_hot(codes, vocab):
    return (codes[..., None] == np.arange(vocab)).astype(float)


def batches(text, chars, length, count, rs):
    """`count` random windows of the text: one-hot inputs (length, count, vocab) and
    the codes of the characters that follow each (length, count)."""
    codes = np.array([chars.index(c) for c in text])
    starts = rs.randint(0, len(codes) - length - 1, count)
    windows = np.stack([codes[s:s + length + 1] for s in starts], axis=1)
    return one_hot(windows[:-1], len(chars)), windows[1:]


def sigmoid(x):
    return 0.5 * (np.tanh(0.5 * x) + 1.0)


def init_params(kind, vocab, hidden, rs, scale=0.1):
    gates = 4 if kind == "lstm" else 1
    return {
        "init_hidden": rs.randn(1, hidden) * scale,
        "change": rs.randn(vocab + hidden, gates * hidden) * scale,
        "change_bias": np.zeros(gates * hidden),
        "predict": rs.randn(hidden, vocab) * scale,
        "predict_bias": np.zeros(vocab),
    }


def rnn_logits(params, inputs):
    """Logits of the next character at each step, for inputs (length, batch, vocab)."""
    hidden = np.repeat(params["init_hidden"], inputs.shape[1], axis=0)
    outputs = []
    for x in inputs:
        joined = np.concatenate([x, hidden], axis=1)
        hidden = np.tanh(joined @ params["change"] + params["change_bias"])
        outputs.append(hidden @ params["predict"] + params["predict_bias"])
    return np.stack(outputs)


def lstm_logits(params, inputs):
    hidden = np.repeat(params["init_hidden"], inputs.shape[1], axis=0)
    cells = np.zeros_like(hidden)
    n = hidden.shape[1]
    outputs = []
    for x in inputs:
        z = np.concatenate([x, hidden], axis=1) @ params["change"] + params["change_bias"]
        forget, ingate, outgate = sigmoid(z[:, :n]), sigmoid(z[:, n:2 * n]), sigmoid(z[:, 2 * n:3 * n])
        cells = forget * cells + ingate * np.tanh(z[:, 3 * n:])
        hidden = outgate * np.tanh(cells)
        outputs.append(hidden @ params["predict"] + params["predict_bias"])
    return np.stack(outputs)


MODELS = {"rnn": rnn_logits, "lstm": lstm_logits}


def loss(params, kind, inputs, targets):
    """Mean negative log-likelihood of the next characters, in nats per character."""
    logits = MODELS[kind](params, inputs)
    logits = logits - np.max(logits, axis=2, keepdims=True)
    log_probs = logits - np.log(np.sum(np.exp(logits), axis=2, keepdims=True))
    return -np.mean(np.sum(log_probs * one_hot(targets, logits.shape[2]), axis=2))


def sample(params, kind, chars, first, length, rs):
    """Characters drawn one at a time from the model, each fed back as the next input."""
    text = first
    for _ in range(length):
        logits = MODELS[kind](params, one_hot(np.array([[chars.index(c)] for c in text]), len(chars)))[-1, 0]
        p = np.exp(logits - np.max(logits))
        text += chars[rs.choice(len(chars), p=p / np.sum(p))]
    return text


def train(kind, chars, hidden, length, batch, steps, rs):
    params = init_params(kind, len(chars), hidden, rs)
    data = [batches(TEXT, chars, length, batch, rs) for _ in range(steps)]
    dloss = s2s.grad(loss)
    curve = []
    start = time.perf_counter()
    params = adam(lambda p, i: dloss(p, kind, *data[i]), params, steps, step_size=0.02,
                  callback=lambda p, i: curve.append(loss(p, kind, *data[i])))
    print(f"{kind}: {steps} steps in {time.perf_counter() - start:.1f} s, "
          f"loss {curve[0]:.3f} -> {loss(params, kind, *data[-1]):.3f} nats/char")
    return params, curve


def draw(curves, path):
    plt = pyplot(path)
    if plt is None:
        return
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for kind, curve in curves.items():
        ax.plot(curve, label=kind.upper())
    ax.set_xlabel("Adam step")
    ax.set_ylabel("training loss (nats per character)")
    ax.set_title("character models: backpropagation through time by s2s")
    ax.legend()
    save(fig, path)


def main(hidden=48, length=24, batch=16, steps=300, sample_length=80, out="char_rnn.png", seed=0):
    rs = np.random.RandomState(seed)
    chars = sorted(set(TEXT))
    curves = {}
    for kind in MODELS:
        params, curves[kind] = train(kind, chars, hidden, length, batch, steps, rs)
        print(f"  sample: {sample(params, kind, chars, 'the ', sample_length, rs)!r}")
    draw(curves, out)
    return curves


if __name__ == "__main__":
    args = parse_args(__doc__)
    main(**(dict(hidden=8, length=6, batch=4, steps=10, sample_length=20) if args.quick else {}),
         out=args.out or "char_rnn.png")
