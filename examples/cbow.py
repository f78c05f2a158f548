"""Word embeddings by CBOW (continuous bag of words) on a corpus from a tiny grammar.

Each word is predicted from the mean embedding of the two words either side of it,
through a softmax over the vocabulary. The seeds' one-line "something like CBOW"
(seed 003) comes first; then the real loss, with embeddings looked up by integer-array
indexing, trained with Adam on s2s gradients. Words that the grammar uses alike end
up close together.

    python examples/cbow.py [--quick] [--out cbow.png]
"""
import time

import numpy as np
from _gallery import adam, parse_args, pyplot, save
from scipy.special import logsumexp

import s2s

WORDS = {
    "animal": ["dog", "cat", "horse", "cow", "sheep"],
    "food": ["bread", "apple", "cheese", "rice", "soup"],
    "place": ["house", "garden", "field", "kitchen", "barn"],
    "verb": ["eats", "likes", "wants", "smells", "finds"],
    "motion": ["runs", "sleeps", "sits", "waits", "plays"],
}
TEMPLATES = [
    "the {animal} {verb} the {food}",
    "the {animal} {motion} in the {place}",
    "a {animal} {verb} some {food} in the {place}",
]


def seed_cbow(w, i):
    """Seed 003's toy: how far word i's vector is from the sum of its four neighbours'."""
    return abs(sum(w[i] - (w[i - 2] + w[i - 1] + w[i + 1] + w[i + 2])))


def corpus(sentences, rs):
    words = []
    for _ in range(sentences):
        template = TEMPLATES[rs.randint(len(TEMPLATES))]
        fill = {kind: options[rs.randint(len(options))] for kind, options in WORDS.items()}
        words += template.format(**fill).split() + ["."]
    return words


def windows(codes, width=2):
    """Context word codes (n, 2 width) and the centre word's code (n,)."""
    centres = np.arange(width, len(codes) - width)
    offsets = np.concatenate([np.arange(-width, 0), np.arange(1, width + 1)])
    return codes[centres[:, None] + offsets], codes[centres]


def cbow_loss(params, contexts, targets):
    """Mean cross-entropy of predicting each centre word from its context's mean embedding."""
    embeddings, output = params
    hidden = np.mean(embeddings[contexts], axis=1)
    logits = hidden @ output
    return -np.mean(logits[np.arange(len(targets)), targets] - logsumexp(logits, axis=1))


def draw(embeddings, vocabulary, path):
    plt = pyplot(path)
    if plt is None:
        return
    centred = embeddings - embeddings.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    points = centred @ vt[:2].T
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for c, (kind, words) in enumerate(WORDS.items()):
        rows = [vocabulary.index(word) for word in words]
        ax.scatter(*points[rows].T, color=f"C{c}", label=kind)
        for r in rows:
            ax.annotate(vocabulary[r], points[r], fontsize=8, xytext=(3, 3), textcoords="offset points")
    ax.legend(fontsize=8)
    ax.set_title("CBOW embeddings (first two principal components)")
    save(fig, path)


def main(sentences=400, dimensions=10, steps=300, out="cbow.png", seed=0):
    rs = np.random.RandomState(seed)
    w = rs.randn(7, dimensions)
    print(f"the seeds' toy loss at word 3 of 7 random vectors: {seed_cbow(w, 3):.3f}, "
          f"its gradient's norm {np.linalg.norm(s2s.grad(seed_cbow)(w, 3)):.3f}")

    words = corpus(sentences, rs)
    vocabulary = sorted(set(sum(WORDS.values(), [])) | {w for t in TEMPLATES for w in t.split() if "{" not in w} | {"."})
    contexts, targets = windows(np.array([vocabulary.index(word) for word in words]))
    params = (0.1 * rs.randn(len(vocabulary), dimensions), 0.1 * rs.randn(dimensions, len(vocabulary)))
    gradient = s2s.grad(cbow_loss)
    start = time.perf_counter()
    params = adam(lambda p, i: gradient(p, contexts, targets), params, steps, step_size=0.03)
    print(f"CBOW on {len(words)} words (a vocabulary of {len(vocabulary)}), {steps} Adam steps in "
          f"{time.perf_counter() - start:.1f} s: loss {np.log(len(vocabulary)):.3f} (uniform) -> "
          f"{cbow_loss(params, contexts, targets):.3f}")
    embeddings = params[0] / np.linalg.norm(params[0], axis=1, keepdims=True)
    for word in ["dog", "bread", "garden", "eats", "runs"]:
        similar = np.argsort(-(embeddings @ embeddings[vocabulary.index(word)]))[1:4]
        print(f"  nearest to {word!r}: {', '.join(vocabulary[k] for k in similar)}")
    draw(params[0], vocabulary, out)
    return params, contexts, targets


if __name__ == "__main__":
    args = parse_args(__doc__)
    main(**(dict(sentences=50, steps=20) if args.quick else {}), out=args.out or "cbow.png")
