"""A classifier trained with a loss over a tree of class taxonomies (seed 003: "a large
classification model uses a loss computed over a tree of class taxonomies").

Each internal node of the taxonomy has a softmax over its children; the probability
of a leaf class is the product along its path from the root. The loss recurses over
the taxonomy, a nested dict, in plain Python, and s2s differentiates it as written.
A flat softmax over the leaves, trained the same way, is printed beside it, with how
many of each one's mistakes stay in the right top-level group.

    python examples/taxonomy_loss.py [--quick]
"""
import time

import numpy as np
from _gallery import adam, parse_args
from scipy.special import logsumexp

import s2s

TAXONOMY = {
    "animal": {
        "mammal": {"dog": None, "cat": None, "horse": None},
        "bird": {"eagle": None, "sparrow": None, "penguin": None},
    },
    "vehicle": {
        "road": {"car": None, "bus": None, "bicycle": None},
        "air": {"plane": None, "helicopter": None},
    },
    "plant": {"tree": None, "flower": None, "grass": None},
}


def internal_nodes(tree, name="root"):
    """{node name: its children's names}, for every node with children."""
    nodes = {name: list(tree)}
    for child, subtree in tree.items():
        if subtree is not None:
            nodes.update(internal_nodes(subtree, child))
    return nodes


def leaf_log_probs(params, tree, node, x):
    """{leaf: log p(leaf | x)} for every leaf under `node`, by the chain rule of probability."""
    logits = x @ params[node]
    log_p = logits - logsumexp(logits, axis=1, keepdims=True)
    out = {}
    for k, (child, subtree) in enumerate(tree.items()):
        if subtree is None:
            out[child] = log_p[:, k]
        else:
            for leaf, below in leaf_log_probs(params, subtree, child, x).items():
                out[leaf] = log_p[:, k] + below
    return out


def tree_loss(params, x, labels, leaves):
    log_probs = leaf_log_probs(params, TAXONOMY, "root", x)
    table = np.stack([log_probs[leaf] for leaf in leaves])
    return -np.mean(table[labels, np.arange(len(labels))])


def flat_loss(W, x, labels):
    logits = x @ W
    return -np.mean(logits[np.arange(len(labels)), labels] - logsumexp(logits, axis=1))


def make_data(n, features, leaves, rs, spread=(3.0, 1.6, 1.0), noise=1.6):
    """Each leaf's mean is its parent's plus an offset, down the taxonomy: nearby classes overlap."""
    means = {}

    def place(tree, centre, depth):
        for child, subtree in tree.items():
            means[child] = centre + spread[depth] * rs.randn(features)
            if subtree is not None:
                place(subtree, means[child], depth + 1)

    place(TAXONOMY, np.zeros(features), 0)
    labels = rs.randint(0, len(leaves), n)
    return np.array([means[leaves[k]] for k in labels]) + noise * rs.randn(n, features), labels


def leaves_under(tree, name):
    if tree is None:
        return [name]
    return [leaf for child, subtree in tree.items() for leaf in leaves_under(subtree, child)]


def top_level(leaves):
    """The top-level group of each leaf, as an index array."""
    groups = {leaf: g for g, (group, subtree) in enumerate(TAXONOMY.items()) for leaf in leaves_under(subtree, group)}
    return np.array([groups[leaf] for leaf in leaves])


def report(name, predicted, labels, groups):
    wrong = predicted != labels
    print(f"{name}: held-out leaf accuracy {np.mean(~wrong):.3f}; of its mistakes, "
          f"{np.mean(groups[predicted[wrong]] == groups[labels[wrong]]):.2f} in the right top-level group")


def main(n=3000, features=8, steps=300, seed=0):
    rs = np.random.RandomState(seed)
    leaves = leaves_under(TAXONOMY, "root")
    groups = top_level(leaves)
    x_all, labels_all = make_data(n, features, leaves, rs)
    (x, x_test), (labels, labels_test) = np.split(x_all, 2), np.split(labels_all, 2)
    nodes = internal_nodes(TAXONOMY)
    print(f"{len(leaves)} classes in a taxonomy of {len(nodes)} softmaxes; {len(labels)} training points")

    start = time.perf_counter()
    d_tree = s2s.grad(tree_loss)
    params = adam(lambda p, i: d_tree(p, x, labels, leaves),
                  {node: 0.01 * rs.randn(features, len(children)) for node, children in nodes.items()}, steps, step_size=0.05)
    print(f"tree loss: {steps} Adam steps in {time.perf_counter() - start:.1f} s, loss {tree_loss(params, x, labels, leaves):.3f}")
    d_flat = s2s.grad(flat_loss)
    W = adam(lambda W, i: d_flat(W, x, labels), 0.01 * rs.randn(features, len(leaves)), steps, step_size=0.05)

    log_probs = leaf_log_probs(params, TAXONOMY, "root", x_test)
    report("tree softmax", np.argmax(np.stack([log_probs[leaf] for leaf in leaves]), axis=0), labels_test, groups)
    report("flat softmax", np.argmax(x_test @ W, axis=1), labels_test, groups)
    return params, x, labels, leaves


if __name__ == "__main__":
    args = parse_args(__doc__)
    main(**(dict(n=200, steps=20) if args.quick else {}))
