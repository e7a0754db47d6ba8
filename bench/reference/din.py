"""PyTorch reference for RecLab's DIN (src/recsys/models/ranking/din.ts and
target-attention.ts): the same fields, layers, initialisation, loss, batches and optimiser,
on the samples `bench/ranking.ts` writes, so samples/second compare like with like.

    python3 din.py DIR     (DIR holds spec.json and the sample arrays: see ranking_training.py)

Prints one JSON line (see ranking_training.py). The model: the local activation unit scores
each history slot against the candidate (both 2d wide) with an MLP over [behaviour,
candidate, behaviour − candidate, behaviour ⊙ candidate] (36 units, Dice, then 1), not
normalised, padding slots weighing 0 (Dice's batch moments are over every slot, padding
included, as RecLab's); the history pooled with those weights; [user, candidate, pooled
history, pooled history ⊙ candidate, the history's mean] through dropout and an MLP (`layers`,
each Dense then Dice) to the logit.
"""
import torch
import torch.nn.functional as F

from ranking_training import Dice, Fields, main, mean_pool
from sequence_training import dense


class TargetAttention(torch.nn.Module):
    def __init__(self, dim, units=36):
        super().__init__()
        self.hidden, self.dice, self.out = dense(4 * dim, units), Dice(units), dense(units, 1)

    def forward(self, history, target, mask):
        b, length, dim = history.shape
        t = target[:, None, :].expand(b, length, dim)
        features = torch.cat([history, t, history - t, history * t], 2).reshape(b * length, 4 * dim)
        return self.out(self.dice(self.hidden(features))).reshape(b, length) * mask


class DIN(torch.nn.Module):
    def __init__(self, spec):
        super().__init__()
        d = spec["embeddingDim"]
        self.rate = spec["dropout"]
        self.fields = Fields(spec)
        self.attention = TargetAttention(2 * d)
        widths = [9 * d, *spec["layers"]]
        self.hidden = torch.nn.ModuleList(dense(widths[l], widths[l + 1]) for l in range(len(widths) - 1))
        self.dice = torch.nn.ModuleList(Dice(w) for w in spec["layers"])
        self.out = dense(widths[-1], 1)

    def forward(self, batch):
        user, target, history, mask = self.fields(batch)
        weights = self.attention(history, target, mask)
        interest = (history * weights[..., None]).sum(1)
        features = torch.cat([user, target, interest, interest * target, mean_pool(history, mask)], 1)
        h = F.dropout(features, self.rate, self.training)
        for layer, dice in zip(self.hidden, self.dice):
            h = dice(layer(h))
        return self.out(h).squeeze(1)


if __name__ == "__main__":
    main(DIN)
