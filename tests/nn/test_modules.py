import pytest
import torch

from debias_estimators.losses import DBVAELoss
from debias_estimators.nn import DBVAE, StandardClassifier, conv_feature_sizes


@pytest.mark.parametrize(
    "shape",
    [(1, 25, 25), (3, 32, 32), (3, 64, 64), (3, 128, 128), (1, 40, 24), (3, 16, 16), (3, 63, 65)],
)
def test_reconstruction_has_exactly_the_input_shape(shape):
    module = DBVAE(shape, latent_dim=6, n_filters=2)
    x = torch.rand(2, *shape)
    logit, mu, logvar, recon = module(x)
    assert logit.shape == (2,)
    assert mu.shape == logvar.shape == (2, 6)
    assert recon.shape == x.shape


def test_lab_architecture_on_64_pixels():
    assert conv_feature_sizes(64) == [64, 32, 16, 8, 4]
    module = DBVAE((3, 64, 64), latent_dim=100, n_filters=12)
    convs = [m for m in module.encoder.features if isinstance(m, torch.nn.Conv2d)]
    assert [c.out_channels for c in convs] == [12, 24, 48, 72]
    assert [c.kernel_size[0] for c in convs] == [5, 5, 3, 3]
    assert module.encoder.hidden[0].in_features == 72 * 4 * 4
    assert module.encoder.hidden[0].out_features == 512
    assert module.encoder.head.out_features == 201
    deconvs = [m for m in module.decoder.layers if isinstance(m, torch.nn.ConvTranspose2d)]
    assert [(d.in_channels, d.out_channels) for d in deconvs] == [
        (72, 48),
        (48, 24),
        (24, 12),
        (12, 3),
    ]


def test_vector_variants():
    module = DBVAE((7,), latent_dim=3, hidden_units=(8, 5))
    logit, mu, logvar, recon = module(torch.rand(4, 7))
    assert recon.shape == (4, 7) and mu.shape == (4, 3)
    clf = StandardClassifier((7,), hidden_units=(8,))
    assert clf(torch.rand(4, 7)).shape == (4,)
    assert clf.embed(torch.rand(4, 7)).shape == (4, 8)


def test_standard_classifier_shares_the_encoder_architecture():
    clf = StandardClassifier((3, 64, 64))
    assert clf(torch.rand(2, 3, 64, 64)).shape == (2,)
    assert clf.embed(torch.rand(2, 3, 64, 64)).shape == (2, 512)


def test_bad_shapes_raise():
    with pytest.raises(ValueError, match="in_shape"):
        DBVAE((3, 4))


@pytest.mark.parametrize("shape", [(3, 16, 16), (12,)])
def test_a_static_slice_gives_the_masked_decodes_loss(shape):
    torch.manual_seed(0)
    model = DBVAE(shape, latent_dim=4, n_filters=2, hidden_units=(8,)).train()
    x = torch.rand(8, *shape)
    y = torch.tensor([1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0])  # the positives first
    criterion = DBVAELoss(recon_loss="l2")
    torch.manual_seed(1)  # the same latent noise for both calls
    masked = model(x, decode_mask=y > 0.5)
    masked_loss = criterion(masked, y, x)
    masked_loss.mean().backward()
    masked_grads = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    torch.manual_seed(1)
    sliced = model(x, n_decode=3)
    sliced_loss = criterion(sliced, y, x)
    sliced_loss.mean().backward()
    torch.testing.assert_close(sliced[3], masked[3])
    torch.testing.assert_close(sliced_loss, masked_loss)
    for p, expected in zip(model.parameters(), masked_grads, strict=True):
        torch.testing.assert_close(p.grad, expected)
    # The negatives are not decoded: their reconstruction is the input, a zero error.
    torch.testing.assert_close(sliced[3][3:], x[3:])


def test_a_static_slice_of_none_decodes_nothing():
    model = DBVAE((3, 16, 16), latent_dim=4, n_filters=2).train()
    x = torch.rand(4, 3, 16, 16)
    torch.testing.assert_close(model(x, n_decode=0)[3], x)


@pytest.mark.slow  # torch.compile traces and builds kernels: several seconds
def test_the_static_slice_compiles_to_one_graph():
    torch.manual_seed(0)
    model = DBVAE((12,), latent_dim=2, hidden_units=(8,)).eval()  # eval: no latent noise
    x = torch.rand(8, 12)
    compiled = torch.compile(model, fullgraph=True)  # a graph break would raise
    for got, expected in zip(compiled(x, n_decode=3), model(x, n_decode=3), strict=True):
        torch.testing.assert_close(got, expected)


@pytest.mark.parametrize("channels_last", [False, True])
def test_decoder_gives_the_plain_stacks_bits_in_either_memory_format(channels_last):
    # The decoder hands a channels-last module its first feature map channels last: the
    # outputs and every gradient must stay those of the plain stack of layers.
    torch.manual_seed(0)
    decoder = DBVAE((3, 32, 32), latent_dim=6).decoder
    if channels_last:
        decoder = decoder.to(memory_format=torch.channels_last)
    z = torch.randn(5, 6)

    def run(forward):
        decoder.zero_grad()
        z_ = z.clone().requires_grad_(True)
        out = forward(z_)
        out.abs().mean().backward()
        return [out.detach(), z_.grad, *(p.grad.clone() for p in decoder.parameters())]

    plain = run(decoder.layers)
    formats = []
    first_conv = decoder.layers[3]
    assert isinstance(first_conv, torch.nn.ConvTranspose2d)
    hook = first_conv.register_forward_pre_hook(
        lambda module, args: formats.append(
            args[0].is_contiguous(memory_format=torch.channels_last)
        )
    )
    ours = run(decoder)
    hook.remove()
    for a, b in zip(ours, plain, strict=True):
        assert torch.equal(a, b)
    assert formats == [channels_last]  # the conversion happened, and only where it should
