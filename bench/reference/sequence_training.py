"""What the PyTorch references of RecLab's sequence models (sasrec.py, gru4rec.py) share: the
data `bench/sequence.ts` hands over, RecLab's initialisation of dense and embedding layers,
its negative sampler, and the timed training loop (the same epochs of the same batches,
with Adam, on the CPU with TensorFlow.js's thread count).

DIR/spec.json holds the model's settings (RecLab's config) plus `threads`, `numItems`,
`warmupEpochs` and `timedEpochs`; DIR/inputs.i32 and DIR/targets.i32 the training samples,
samples x maxLen each (RecLab's windows: a sample's inputs are up to maxLen items, left
padded, as slot values item + 1, 0 for padding; its targets each slot's next item, 0 where
the slot predicts nothing); DIR/counts.i32 each item's training interactions.

Prints one JSON line: samples/second over the timed epochs, their seconds, the loss of the
first step, the mean loss of each epoch (warm-up and timed), the thread count.
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch

#: What a mask forbids, as RecLab's attention and sampled softmax push it down (attention.ts, next-item-loss.ts).
MASKED = -1e9


def read(folder, name):
    return torch.from_numpy(np.fromfile(os.path.join(folder, name), dtype="<i4")).long()


def glorot(weight, fan_in, fan_out):
    """Keras's glorot-uniform, as RecLab's Params draws kernels."""
    limit = math.sqrt(6 / (fan_in + fan_out))
    torch.nn.init.uniform_(weight, -limit, limit)


def dense(inputs, outputs):
    """RecLab's Dense: a glorot-uniform kernel and a zero bias."""
    layer = torch.nn.Linear(inputs, outputs)
    glorot(layer.weight, inputs, outputs)
    torch.nn.init.zeros_(layer.bias)
    return layer


def embedding(rows, dim):
    """RecLab's Embedding: normal rows of scale 1/sqrt(dim) (row 0 too: the model masks padding)."""
    table = torch.nn.Embedding(rows, dim)
    torch.nn.init.normal_(table.weight, std=1 / math.sqrt(dim))
    return table


class Sampler:
    """negatives.ts: items drawn with replacement, uniformly or by popularity^alpha (items never seen never drawn)."""

    def __init__(self, counts, strategy, alpha):
        self.count = counts.numel()
        if strategy == "uniform":
            self.q = torch.full((self.count,), 1 / self.count, dtype=torch.float64)
        else:
            weights = torch.where(counts > 0, (counts.double() / counts.max()) ** alpha, torch.zeros((), dtype=torch.float64))
            self.q = weights / weights.sum()
        self.uniform = strategy == "uniform"
        self.log_q = torch.log(self.q).float()
        self.weights = self.q.float()

    def draw(self, n):
        return torch.randint(self.count, (n,)) if self.uniform else torch.multinomial(self.weights, n, replacement=True)


def main(model_class):
    folder = sys.argv[1]
    spec = json.load(open(os.path.join(folder, "spec.json")))
    torch.set_num_threads(spec["threads"])
    torch.manual_seed(spec["seed"])
    length = spec["maxLen"]
    inputs = read(folder, "inputs.i32").view(-1, length)
    targets = read(folder, "targets.i32").view(-1, length)
    counts = read(folder, "counts.i32")
    sampler = Sampler(counts, spec["sampler"], spec["alpha"])
    model = model_class(spec, spec["numItems"])
    model.train()
    train_timed(spec, model, inputs.shape[0], lambda rows: model.loss(inputs[rows], targets[rows], sampler))


def train_timed(spec, model, n, batch_loss):
    """Adam over shuffled batches of the n samples, warm-up epochs then timed ones; prints the figures as JSON."""
    optimiser = torch.optim.Adam(model.parameters(), lr=spec["learningRate"], betas=(0.9, 0.999), eps=1e-8)
    batch = min(spec["batchSize"], n)
    steps = math.ceil(n / batch)
    first = []

    def epoch():
        order = torch.randperm(n)
        total = torch.zeros(())
        for s in range(steps):
            loss = batch_loss(order[s * batch:(s + 1) * batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            if not first:
                first.append(loss.item())
            total += loss.detach()
        return total.item() / steps

    losses = [epoch() for _ in range(spec["warmupEpochs"])]
    start = time.perf_counter()
    losses += [epoch() for _ in range(spec["timedEpochs"])]
    seconds = time.perf_counter() - start
    print(json.dumps({
        "samplesPerSecond": n * spec["timedEpochs"] / seconds,
        "seconds": seconds,
        "firstLoss": first[0],
        "losses": losses,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }))
