"""Binary-operation tables a∘b = c (Power et al. 2022, App. A.1.1) as classification tasks.

The inputs are the two operands as token ids, x = (a, b) (stored as floats, exact below
2²⁴; the model embeds them), the label is c. Operations mod p: add, sub, mul, div, mix
([x/y if y odd else x−y]), sq (x²+y²), quad (x²+xy+y²), quadx (x²+xy+y²+x), cube1
(x³+xy), cube2 (x³+xy²+y); on S5 (120 permutations of 5 in lexicographic order, ``p``
ignored): s5 (x·y), s5conj (x·y·x⁻¹), s5aba (x·y·x), with (x·y)(i) = x(y(i)).

``div`` follows the authors' layout (grok/data.py): only pairs with y ≠ 0, written
a = y·c, so the table holds (y·c)/y = c and has p(p−1) equations. ``split``: ``seeded``
(a permutation per run seed, the default) or ``authors`` (one fixed shuffle, the same for
every seed, the training set its prefix, so training sets are nested across fractions).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import torch

from grokbench.spec import TaskData

#: Operation name → c(a, b) on int64 tensors mod p (div and mix: see ``table``).
MODULAR: dict[str, Callable[[torch.Tensor, torch.Tensor, int], torch.Tensor]] = {
    "add": lambda a, b, p: (a + b) % p,
    "sub": lambda a, b, p: (a - b) % p,
    "mul": lambda a, b, p: (a * b) % p,
    "sq": lambda a, b, p: (a * a + b * b) % p,
    "quad": lambda a, b, p: (a * a + a * b + b * b) % p,
    "quadx": lambda a, b, p: (a * a + a * b + b * b + a) % p,
    "cube1": lambda a, b, p: (a**3 + a * b) % p,
    "cube2": lambda a, b, p: (a**3 + a * b * b + b) % p,
}
GROUP = ("s5", "s5conj", "s5aba")
OPS = (*MODULAR, "div", "mix", *GROUP)
SPLITS = ("seeded", "authors")


def _inverse(b: torch.Tensor, p: int) -> torch.Tensor:
    return torch.tensor([pow(int(v), p - 2, p) for v in b], dtype=torch.int64)


def _s5() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """All ordered pairs of S5 elements (ids) and the three products' ids."""
    perms = list(itertools.permutations(range(5)))
    index = {perm: i for i, perm in enumerate(perms)}

    def mul(x: tuple[int, ...], y: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(x[y[i]] for i in range(5))

    def inv(x: tuple[int, ...]) -> tuple[int, ...]:
        out = [0] * 5
        for i, v in enumerate(x):
            out[v] = i
        return tuple(out)

    a, b, prod, conj, aba = [], [], [], [], []
    for x, y in itertools.product(perms, perms):
        a.append(index[x])
        b.append(index[y])
        xy = mul(x, y)
        prod.append(index[xy])
        conj.append(index[mul(xy, inv(x))])
        aba.append(index[mul(xy, x)])
    return torch.tensor(a), torch.tensor(b), torch.tensor([prod, conj, aba])


def table(op: str, p: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, int]:
    """Every equation of ``op``: operands a, b, result c (int64) and the number of tokens."""
    if op in GROUP:
        a, b, results = _s5()
        return a, b, results[GROUP.index(op)], 120
    if op not in OPS:
        raise ValueError(f"op must be one of {', '.join(OPS)}, got {op!r}")
    a, b = torch.meshgrid(torch.arange(p), torch.arange(p), indexing="ij")
    a, b = a.reshape(-1), b.reshape(-1)
    if op == "div":  # the authors' a = y·c: pairs y ≠ 0, c = a / y
        keep = b != 0
        c, b = a[keep], b[keep]
        return (b * c) % p, b, c, p
    if op == "mix":  # an odd y is never 0: every pair is kept
        odd = b % 2 == 1
        quotient = (a * _inverse(torch.where(odd, b, torch.ones_like(b)), p)) % p
        return a, b, torch.where(odd, quotient, (a - b) % p), p
    return a, b, MODULAR[op](a, b, p), p


def binary_operation(op: str, p: int, frac: float, seed: int, split: str = "seeded") -> TaskData:
    """A random ``frac`` of the table of ``op`` for training, the rest for test."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    a, b, c, tokens = table(op, p)
    generator = torch.Generator().manual_seed(0 if split == "authors" else seed)
    order = torch.randperm(len(c), generator=generator)
    n_train = round(frac * len(c))
    if not 0 < n_train < len(c):
        raise ValueError(f"frac {frac} leaves an empty training or test set ({len(c)} equations)")
    train, test = order[:n_train], order[n_train:]
    x = torch.stack([a, b], dim=1).to(torch.float64)
    return TaskData("multiclass", x[train], c[train], x[test], c[test], n_outputs=tokens)
