"""Power et al.'s decoder-only transformer for binary-operation tables (power22 at paper scale).

Power, Burda, Edwards, Babuschkin, Misra, "Grokking: Generalization Beyond Overfitting on
Small Algorithmic Datasets" (arXiv 2201.02177, App. A.1.2; code openai/grok at 3d64b1d,
``grok/transformer.py`` and ``grok/data.py``): 2 layers, width 128, 4 heads of 32, causal
mask; **post-LN** blocks x = LN(x + MHA(x)), x = LN(x + FFN(x)) with a 4× ReLU FFN; no
biases in Wq, Wk, Wv, Wo, the FFN or the head; sinusoidal positions added to an N(0, 1)
embedding; torch's default init (``nn.Linear``: U(±1/√fan_in); LayerNorm 1, 0); θ₀ = α θ̄
(α = 1 is theirs). The vocabulary is the authors' tokenizer's, 2 + 20 + p + 120 tokens
(<eos>, "=", 20 operators, the p residues, the 120 permutations of S5): 239 at p = 97, and
424 832 non-embedding parameters, the paper's "about 4·10⁵".

Sequence: the authors' row is ``<eos> a op b = c <eos>``; the answer c is predicted at the
"=" position, so the model reads the 5 tokens up to "=" and returns the head's logits at
the last position over the answer tokens only (the p residues, or the S5 elements). Since
only the last position is read, the last layer computes its query, LayerNorms and FFN at
that position alone (the same logits as the full causal model: tested).

Deviations (docs/models.md): the softmax runs over the answer tokens, not all 239 (the
other logits are only ever pushed down in theirs; here their head rows get no gradient and
decay under weight decay); the loss is on c alone (theirs also scores the closing <eos>,
which is learnt within a few updates); one operator token serves every op (the operator is
constant per table, and every embedding row is an i.i.d. draw). Interventions act only in
training steps: ``dropout`` on each FFN output (their residual dropout), ``wnoise``
Gaussian noise on every weight in the forward pass (their ``weight_noise``).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from grokbench.engine.models import HomogeneousModel
from grokbench.engine.training_noise import TrainingNoise
from grokbench.engine.transformer import tokens_of

EOS, EQ, OP0, N_OPERATORS, S5 = 0, 1, 2, 20, 120  # the authors' token order
NUM0 = OP0 + N_OPERATORS  # first residue token


def vocabulary(p: int) -> int:
    """The authors' vocabulary size for modulus p: 2 + 20 + p + 120 (239 at p = 97)."""
    return NUM0 + p + S5


def sinusoid(positions: int, d: int) -> torch.Tensor:
    """The authors' position code: sin(pos/10000^(i/d)) at even i, cos at odd i (i − 1)."""
    pos = torch.arange(positions, dtype=torch.float64)[:, None]
    i = torch.arange(d, dtype=torch.float64)[None, :]
    angle = pos / 10000 ** ((i - i % 2) / d)
    return torch.where(i % 2 == 0, torch.sin(angle), torch.cos(angle))


class PowerTransformer(TrainingNoise, HomogeneousModel):
    """Token pairs (a, b) or one-hot(a) ⊕ one-hot(b) → logits over the ``answers`` tokens."""

    degree = 1  # nominal: not homogeneous (LayerNorm, softmax); only gradient flow reads it
    positions: torch.Tensor  # the sinusoid of the 5 positions (a buffer: not trained)

    def __init__(
        self,
        p: int,
        answers: int | None = None,
        group: bool = False,
        d_model: int = 128,
        heads: int = 4,
        layers: int = 2,
        dropout: float = 0.0,
        wnoise: float = 0.0,
        generator: torch.Generator | None = None,
        alpha: float = 1.0,
    ) -> None:
        super().__init__()
        if p < 2 or heads < 1 or d_model % heads or layers < 1:
            raise ValueError(f"need p ≥ 2, heads ≥ 1 dividing d_model, layers ≥ 1; got {p}, "
                             f"{d_model}, {heads}, {layers}")  # fmt: skip
        if not 0 <= dropout < 1 or wnoise < 0:
            raise ValueError(f"need dropout in [0, 1), wnoise ≥ 0; got {dropout}, {wnoise}")
        self.answers = answers or (S5 if group else p)
        self.first = NUM0 + p if group else NUM0  # token of operand / answer 0
        self.vocab, self.heads, self.layers = vocabulary(p), heads, layers
        self.dropout, self.wnoise = dropout, wnoise
        f64, d = torch.float64, d_model

        def uniform(*shape: int) -> torch.Tensor:  # nn.Linear's default: U(±1/√fan_in)
            bound = 1 / math.sqrt(shape[-1])
            return (torch.rand(*shape, generator=generator, dtype=f64) * 2 - 1) * bound

        reference = {"embed": torch.randn(self.vocab, d, generator=generator, dtype=f64)}
        for k in range(layers):
            reference |= {
                f"qkv{k}": uniform(3 * d, d),  # Wq, Wk, Wv of every head stacked (out, in)
                f"wo{k}": uniform(d, d),
                f"ln1_w{k}": torch.ones(d, dtype=f64),
                f"ln1_b{k}": torch.zeros(d, dtype=f64),
                f"ff1_{k}": uniform(4 * d, d),
                f"ff2_{k}": uniform(d, 4 * d),
                f"ln2_w{k}": torch.ones(d, dtype=f64),
                f"ln2_b{k}": torch.zeros(d, dtype=f64),
            }
        reference["head"] = uniform(self.vocab, d)
        for name, value in reference.items():
            setattr(self, name, nn.Parameter(torch.empty_like(value)))
        self._names = list(reference)
        self.register_buffer("positions", sinusoid(5, d))
        self._init_noise(generator)
        self._set_reference(reference, alpha)

    def _weights(self, training: bool) -> dict[str, torch.Tensor]:
        weights = {name: getattr(self, name) for name in self._names}  # functional_call's
        return {name: self._noisy(w, training) for name, w in weights.items()}

    def sequence(self, x: torch.Tensor) -> torch.Tensor:
        """The authors' rows up to "=": (<eos>, a, op, b, =) as token ids, shape (..., 5)."""
        a, b = tokens_of(x, self.answers)
        const = torch.ones_like(a)
        return torch.stack([EOS * const, self.first + a, OP0 * const, self.first + b,
                            EQ * const], dim=-1)  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        training = self.training and torch.is_grad_enabled()
        w = self._weights(training)
        h = w["embed"][self.sequence(x)] + self.positions  # (..., 5, d)
        d, heads = h.shape[-1], self.heads
        causal = torch.ones(5, 5, dtype=torch.bool, device=h.device).tril()
        for k in range(self.layers):
            last = k == self.layers - 1  # only the "=" position is read from here on
            q, key, v = (h @ w[f"qkv{k}"].T).split(d, dim=-1)
            if last:
                q, h = q[..., -1:, :], h[..., -1:, :]
            q, key, v = (t.unflatten(-1, (heads, -1)).transpose(-2, -3) for t in (q, key, v))
            scores = q @ key.transpose(-1, -2) / math.sqrt(d // heads)  # (..., H, T, 5)
            if not last:
                scores = scores.masked_fill(~causal, float("-inf"))
            mixed = (scores.softmax(-1) @ v).transpose(-2, -3).flatten(-2)
            h = F.layer_norm(h + mixed @ w[f"wo{k}"].T, (d,), w[f"ln1_w{k}"], w[f"ln1_b{k}"])
            ff = torch.relu(h @ w[f"ff1_{k}"].T) @ w[f"ff2_{k}"].T
            ff = self._dropped(ff, training)
            h = F.layer_norm(h + ff, (d,), w[f"ln2_w{k}"], w[f"ln2_b{k}"])
        rows = w["head"][self.first : self.first + self.answers]
        return h[..., -1, :] @ rows.T


def power_transformer(
    p: int,
    out_dim: int,
    generator: torch.Generator | None = None,
    d_model: int = 128,
    heads: int = 4,
    layers: int = 2,
    dropout: float = 0.0,
    wnoise: float = 0.0,
) -> PowerTransformer:
    """Plug-in factory (``--set model=grokbench.engine.decoder:power_transformer``): the
    paper's sizes unless the experiment has d_model, heads, layers; S5 when out_dim is 120."""
    group = out_dim == S5 and p != S5
    return PowerTransformer(p, out_dim, group, d_model, heads, layers, dropout, wnoise,
                            generator=generator)  # fmt: skip
