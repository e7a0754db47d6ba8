"""PyTorch reference for RecLab's TwoTower: the same towers, loss, batches and optimiser, on
the data `bench/recsys-neural.ts` writes, so samples/second compare like with like.

    python3 two_tower.py DIR     (DIR holds spec.json and the .i32 arrays it names)

Prints one JSON line: samples/second, fit seconds, final loss, thread count.
Each tower: an ID embedding and one summed embedding bag per categorical attribute group
(id 0 is padding), numeric attributes as standardised columns, concatenated, then
Linear+ReLU layers and a last Linear. Cosine score over a
temperature, in-batch softmax (plus uniform negatives when asked), logQ correction,
accidental hits masked. Embeddings train with SparseAdam (lazy Adam, as RecLab's), the
layers with Adam.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def read(path, shape=None):
    a = np.fromfile(path, dtype="<i4")
    return torch.from_numpy(a.reshape(shape) if shape else a).long()


def standardised(path):
    """A numeric attribute as one column at unit scale, missing values at the mean (as RecLab does)."""
    v = torch.from_numpy(np.fromfile(path, dtype="<f4").copy())
    present = ~torch.isnan(v)
    mean = v[present].mean() if present.any() else torch.tensor(0.0)
    std = v[present].std(unbiased=False) if present.any() else torch.tensor(1.0)
    return torch.where(present, (v - mean) / (std if std > 0 else 1), torch.zeros(())).unsqueeze(1)


class Tower(torch.nn.Module):
    def __init__(self, count, groups, dim, layers):
        super().__init__()
        categorical = [g for g in groups if g["kind"] == "categorical"]
        self.ids = torch.nn.Embedding(count, dim, sparse=True)
        self.bags = torch.nn.ModuleList(torch.nn.EmbeddingBag(g["cardinality"], dim, mode="sum", sparse=True, padding_idx=0) for g in categorical)
        for e in [self.ids, *self.bags]:
            torch.nn.init.normal_(e.weight, std=0.1)
        sizes = [dim * (1 + len(categorical)) + len(groups) - len(categorical), *layers]
        self.layers = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))

    def forward(self, entities, inputs):
        lookups, numeric = inputs
        parts = [self.ids(entities)] + [bag(lookup[entities]) for bag, lookup in zip(self.bags, lookups)] + [column[entities] for column in numeric]
        h = torch.cat(parts, dim=1)
        for i, layer in enumerate(self.layers):
            h = layer(h)
            if i < len(self.layers) - 1:
                h = F.relu(h)
        return F.normalize(h, dim=1) if self.cosine else h


def main():
    folder = sys.argv[1]
    spec = json.load(open(os.path.join(folder, "spec.json")))
    threads = spec["threads"]
    torch.set_num_threads(threads)
    torch.manual_seed(spec["seed"])
    users = read(os.path.join(folder, "users.i32"))
    items = read(os.path.join(folder, "items.i32"))
    lookups = {
        side: (
            [read(os.path.join(folder, f"{side}.{g['name']}.i32"), (spec[side]["count"], g["width"])) for g in spec[side]["groups"] if g["kind"] == "categorical"],
            [standardised(os.path.join(folder, f"{side}.{g['name']}.f32")) for g in spec[side]["groups"] if g["kind"] == "numeric"],
        )
        for side in ("user", "item")
    }
    towers = {side: Tower(spec[side]["count"], spec[side]["groups"], spec["embeddingDim"], spec["layers"]) for side in ("user", "item")}
    for t in towers.values():
        t.cosine = spec["score"] == "cosine"
    scale = 1 / spec["temperature"] if spec["score"] == "cosine" else 1.0
    sparse = [p for t in towers.values() for m in [t.ids, *t.bags] for p in m.parameters()]
    dense = [p for t in towers.values() for p in t.layers.parameters()]
    lr = spec["learningRate"]
    optimisers = [torch.optim.SparseAdam(sparse, lr=lr), torch.optim.Adam(dense, lr=lr)]

    n = users.numel()
    batch = min(spec["batchSize"], n)
    uniform = spec["uniformNegatives"]
    num_items = spec["item"]["count"]
    counts = torch.bincount(items, minlength=num_items).double()
    log_expected = torch.log(batch * counts / n + uniform / num_items).float()
    steps = n // batch
    start = time.perf_counter()
    loss_sum = torch.zeros(())
    for _ in range(spec["epochs"]):
        order = torch.randperm(n)
        for s in range(steps):
            rows = order[s * batch:(s + 1) * batch]
            u = users[rows]
            candidates = torch.cat([items[rows], torch.randint(num_items, (uniform,))]) if uniform else items[rows]
            uv = towers["user"](u, lookups["user"])
            iv = towers["item"](candidates, lookups["item"])
            logits = uv @ iv.T * scale
            if spec["logQ"]:
                logits = logits - log_expected[candidates]
            hits = candidates[None, :] == candidates[:batch, None]
            hits[torch.arange(batch), torch.arange(batch)] = False
            logits = logits.masked_fill(hits, -1e9)
            loss = F.cross_entropy(logits, torch.arange(batch))
            for o in optimisers:
                o.zero_grad()
            loss.backward()
            for o in optimisers:
                o.step()
            loss_sum += loss.detach()
    seconds = time.perf_counter() - start
    samples = steps * batch * spec["epochs"]
    print(json.dumps({
        "samplesPerSecond": samples / seconds,
        "fitSeconds": seconds,
        "lastLoss": loss.item(),
        "meanLoss": loss_sum.item() / (steps * spec["epochs"]),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
