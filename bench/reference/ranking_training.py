"""What the PyTorch references of RecLab's rankers (deepfm.py, din.py) share: the samples
`bench/ranking.ts` hands over, the field embeddings as RecLab's ranking base embeds a batch
(src/recsys/models/ranking/ranking-model.ts, `inputs()`), Dice, and the timed training loop
(the same samples in batches of the same size, shuffled each epoch, binary cross-entropy on
the task's logit, Adam, on the CPU with TensorFlow.js's thread count).

DIR/spec.json holds the model's settings (RecLab's config: embeddingDim, historyLength,
batchSize, learningRate, layers, dropout, seed) plus `threads`, `users`, `items`,
`categories` (vocabulary sizes), `warmupEpochs` and `timedEpochs`. The samples, as slot
values (index + 1; 0 pads), one per training sample: DIR/users.i32, items.i32,
categories.i32; DIR/history_items.i32, history_categories.i32, history_behaviours.i32,
samples x historyLength each (the user's latest behaviours before the sample, oldest first,
left padded); DIR/labels.f32 the task's label.

Prints one JSON line: samples/second over the timed epochs, their seconds, the loss of the
first step, the mean loss of each epoch (warm-up and timed), the thread count.
"""
import json
import os
import sys

import numpy as np
import torch

from sequence_training import dense, embedding, train_timed


def read(folder, name, dtype="<i4"):
    return torch.from_numpy(np.fromfile(os.path.join(folder, name), dtype=dtype))


class Fields(torch.nn.Module):
    """FieldEmbeddings and RankingModel.inputs: user [B, d]; target = item ⊕ category [B, 2d];
    history = (item ⊕ category + behaviour) · mask [B, L, 2d]; mask [B, L] (1 for a behaviour)."""

    def __init__(self, spec):
        super().__init__()
        d = spec["embeddingDim"]
        self.dim = d
        self.users = embedding(spec["users"] + 1, d)
        self.items = embedding(spec["items"] + 1, d)
        self.categories = embedding(spec["categories"] + 1, d)
        self.behaviours = embedding(5, 2 * d)

    def forward(self, batch):
        mask = (batch["history_items"] > 0).float()
        history = torch.cat([self.items(batch["history_items"]), self.categories(batch["history_categories"])], 2)
        history = (history + self.behaviours(batch["history_behaviours"])) * mask[..., None]
        target = torch.cat([self.items(batch["items"]), self.categories(batch["categories"])], 1)
        return self.users(batch["users"]), target, history, mask


def mean_pool(history, mask):
    """ranking-model.ts meanPool: the mean of the history's real slots (zeros for an empty history)."""
    return history.sum(1) / mask.sum(1, keepdim=True).clamp(min=1)


class Dice(torch.nn.Module):
    """engine/layers/dice.ts: p(x)·x + (1 − p(x))·α·x, p = sigmoid of x standardised by the
    batch's moments (population variance, gradients through them) while training, by running
    averages (momentum 0.99) when scoring; α starts at 0."""

    def __init__(self, units):
        super().__init__()
        self.alpha = torch.nn.Parameter(torch.zeros(units))
        self.register_buffer("mean", torch.zeros(units))
        self.register_buffer("variance", torch.ones(units))

    def forward(self, x):
        if self.training:
            mean, variance = x.mean(0), x.var(0, unbiased=False)
            with torch.no_grad():
                self.mean.mul_(0.99).add_(mean.detach(), alpha=0.01)
                self.variance.mul_(0.99).add_(variance.detach(), alpha=0.01)
        else:
            mean, variance = self.mean, self.variance
        p = torch.sigmoid((x - mean) / torch.sqrt(variance + 1e-8))
        return p * x + (1 - p) * self.alpha * x


def mlp(widths):
    """engine/layers/dense.ts DenseStack: glorot kernels, zero biases, ReLU between, the last layer linear."""
    layers = []
    for l in range(len(widths) - 1):
        layers.append(dense(widths[l], widths[l + 1]))
        if l < len(widths) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def main(model_class):
    folder = sys.argv[1]
    spec = json.load(open(os.path.join(folder, "spec.json")))
    torch.set_num_threads(spec["threads"])
    torch.manual_seed(spec["seed"])
    length = spec["historyLength"]
    data = {name: read(folder, f"{name}.i32").long() for name in ("users", "items", "categories")}
    for name in ("history_items", "history_categories", "history_behaviours"):
        data[name] = read(folder, f"{name}.i32").long().view(-1, length)
    labels = read(folder, "labels.f32", "<f4")
    model = model_class(spec)
    model.train()
    train_timed(spec, model, labels.numel(), lambda rows: torch.nn.functional.binary_cross_entropy_with_logits(model({name: column[rows] for name, column in data.items()}), labels[rows]))
