"""Losses stay accurate when tiny; metrics follow the stated conventions."""

import torch
import torch.nn.functional as F

from grokbench.engine.objective import accuracy, cross_entropy_small, margins, per_example_loss


def test_cross_entropy_matches_torch_for_moderate_logits():
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(50, 7, dtype=torch.float64, generator=generator) * 3
    labels = torch.randint(0, 7, (50,), generator=generator)
    expected = F.cross_entropy(logits, labels, reduction="none")
    torch.testing.assert_close(cross_entropy_small(logits, labels), expected)


def test_cross_entropy_keeps_tiny_losses_and_their_gradient():
    logits = torch.tensor([[80.0, 0.0, 0.0]], dtype=torch.float64, requires_grad=True)
    loss = cross_entropy_small(logits, torch.tensor([0]))
    assert 0 < float(loss.detach()) < 1e-34
    assert float(F.cross_entropy(logits.detach(), torch.tensor([0]))) == 0.0  # why ours exists
    (grad,) = torch.autograd.grad(loss.sum(), logits)
    assert grad[0, 1] > 0 and grad[0, 0] < 0


def test_logistic_loss_is_accurate_far_in_the_tail():
    out = torch.tensor([70.0], dtype=torch.float64)
    loss = per_example_loss("binary", out, torch.tensor([1.0], dtype=torch.float64))
    torch.testing.assert_close(loss, torch.exp(-out), rtol=1e-12, atol=0)


def test_binary_accuracy_counts_zero_output_as_half():
    y = torch.tensor([1.0, -1.0, 1.0, -1.0], dtype=torch.float64)
    out = torch.tensor([2.0, 0.0, -1.0, -3.0], dtype=torch.float64)
    assert float(accuracy("binary", out, y)) == (1 + 0.5 + 0 + 1) / 4


def test_multiclass_margin_is_gap_to_best_other_class():
    out = torch.tensor([[3.0, 1.0, 2.5]], dtype=torch.float64)
    assert float(margins("multiclass", out, torch.tensor([0]))) == 0.5
    assert float(margins("multiclass", out, torch.tensor([1]))) == -2.0
