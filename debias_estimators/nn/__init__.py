"""Torch modules of the DB-VAE: encoders, decoders, the DB-VAE and the standard classifier."""

from ._conv import MIN_IMAGE_SIZE, ConvDecoder, ConvEncoder, conv_feature_sizes
from ._dbvae import DBVAE, StandardClassifier, make_decoder, make_encoder
from ._invariant import InvariantConv2d, InvariantLinear, batch_invariant_inference
from ._mlp import MLPDecoder, MLPEncoder

__all__ = [
    "DBVAE",
    "MIN_IMAGE_SIZE",
    "ConvDecoder",
    "ConvEncoder",
    "InvariantConv2d",
    "InvariantLinear",
    "MLPDecoder",
    "MLPEncoder",
    "StandardClassifier",
    "batch_invariant_inference",
    "conv_feature_sizes",
    "make_decoder",
    "make_encoder",
]
