"""Inference outputs of the networks do not depend on the batch a sample comes in."""

import pytest
import torch

from debias_estimators.nn import (
    DBVAE,
    InvariantConv2d,
    InvariantLinear,
    StandardClassifier,
    batch_invariant_inference,
)

pytestmark = pytest.mark.skipif(
    not batch_invariant_inference("cpu"), reason="this torch build has no oneDNN"
)

BATCH_SIZES = (1, 2, 3, 5, 7, 9, 17, 40)


def _trained_like(module, shape):
    """BatchNorm statistics that are not the initial ones, then eval mode."""
    module = module.to(memory_format=torch.channels_last) if len(shape) == 3 else module
    module.train()
    with torch.no_grad():
        module(torch.rand(16, *shape))
    return module.eval()


def _images(n, shape):
    if len(shape) == 1:
        return torch.rand(n, *shape)
    channels, height, width = shape
    return torch.rand(n, height, width, channels).permute(0, 3, 1, 2)  # as ArrayDataset gives


@pytest.mark.parametrize("shape", [(3, 16, 16), (1, 25, 25), (3, 32, 32), (5,)])
def test_each_sample_gets_the_same_bits_in_any_batch(shape):
    dbvae = _trained_like(DBVAE(shape, latent_dim=8, hidden_units=(16,)), shape)
    cnn = _trained_like(StandardClassifier(shape, hidden_units=(16,)), shape)
    outputs = {
        "logit": lambda x: dbvae.encode(x)[0],
        "mu": lambda x: dbvae.encode(x)[1],
        "cnn": cnn,
        "embed": cnn.embed,
    }
    X = _images(max(BATCH_SIZES), shape)
    with torch.no_grad():
        for name, fn in outputs.items():
            full = fn(X)
            for n in BATCH_SIZES:
                assert torch.equal(fn(X[:n]), full[:n]), (name, n)
            order = torch.randperm(len(X))
            assert torch.equal(fn(X[order]), full[order]), name


def test_inference_matches_the_plain_layers():
    torch.manual_seed(0)
    linear, conv = InvariantLinear(30, 7), InvariantConv2d(4, 6, 3, stride=2, padding=1)
    plain_linear, plain_conv = torch.nn.Linear(30, 7), torch.nn.Conv2d(4, 6, 3, 2, 1)
    plain_linear.load_state_dict(linear.state_dict())
    plain_conv.load_state_dict(conv.state_dict())
    x, images = torch.randn(3, 30), torch.randn(1, 4, 9, 9)
    for layer in (linear, conv, plain_linear, plain_conv):
        layer.eval()
    with torch.no_grad():
        torch.testing.assert_close(linear(x), plain_linear(x))
        torch.testing.assert_close(linear(x[:1]), plain_linear(x[:1]))
        torch.testing.assert_close(conv(images), plain_conv(images))


def test_training_and_gradients_take_the_usual_kernels():
    linear = InvariantLinear(6, 2).eval()
    x = torch.randn(3, 6, requires_grad=True)
    linear(x).sum().backward()  # eval with gradients (e.g. a saliency map): torch's kernels
    assert x.grad is not None and linear.weight.grad is not None
    conv = InvariantConv2d(2, 3, 3).train()
    conv(torch.randn(2, 2, 5, 5)).sum().backward()
    assert conv.weight.grad is not None


def test_not_on_other_devices():
    assert not batch_invariant_inference("meta")
