import pytest
import torch

from debias_estimators.estimators._modes import evaluating


def test_evaluating_switches_to_eval_without_gradients_and_restores_training():
    module = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    module.train()
    with evaluating(module) as same:
        assert same is module
        assert not module.training and not module[1].training
        out = module(torch.ones(2, 3))
        assert not out.requires_grad and not torch.is_grad_enabled()
    assert module.training and module[1].training
    assert torch.is_grad_enabled()


def test_evaluating_restores_training_when_the_block_raises():
    module = torch.nn.BatchNorm1d(2)
    with pytest.raises(RuntimeError, match="inside"):
        with evaluating(module):
            raise RuntimeError("inside")
    assert module.training


def test_evaluating_leaves_an_eval_module_in_eval():
    module = torch.nn.BatchNorm1d(2).eval()
    with evaluating(module):
        assert not module.training
    assert not module.training
