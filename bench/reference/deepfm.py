"""PyTorch reference for RecLab's DeepFM (src/recsys/models/ranking/deepfm.ts): the same
fields, layers, initialisation, loss, batches and optimiser, on the samples
`bench/ranking.ts` writes, so samples/second compare like with like.

    python3 deepfm.py DIR     (DIR holds spec.json and the sample arrays: see ranking_training.py)

Prints one JSON line (see ranking_training.py). The model: five fields of width d, the user,
the candidate's item and category, and the history's items and categories (the mean of its
real slots, behaviour embedding included); the FM part is first-order weights (one number
per user, item, category and history item, the latter averaged over the real slots, zero at
first, plus a bias) plus every pair of fields' inner product, 0.5·((Σv)² − Σv²) summed over
the width; the deep part an MLP (`layers`, ReLU) over the five fields concatenated; the
logit is their sum.
"""
import torch
import torch.nn.functional as F

from ranking_training import Fields, main, mean_pool, mlp


def weights(rows):
    """One number per row, zero at first (logistic-regression.ts FieldWeights)."""
    table = torch.nn.Embedding(rows, 1)
    torch.nn.init.zeros_(table.weight)
    return table


class DeepFM(torch.nn.Module):
    def __init__(self, spec):
        super().__init__()
        d = spec["embeddingDim"]
        self.rate = spec["dropout"]
        self.fields = Fields(spec)
        self.first_users = weights(spec["users"] + 1)
        self.first_items = weights(spec["items"] + 1)
        self.first_categories = weights(spec["categories"] + 1)
        self.first_history = weights(spec["items"] + 1)
        self.bias = torch.nn.Parameter(torch.zeros(1))
        self.deep = mlp([5 * d, *spec["layers"], 1])

    def forward(self, batch):
        user, target, history, mask = self.fields(batch)
        d = self.fields.dim
        item, category = target.split(d, 1)
        history_items, history_categories = mean_pool(history, mask).split(d, 1)
        v = torch.stack([user, item, category, history_items, history_categories], 1)
        pairs = 0.5 * (v.sum(1).square() - v.square().sum(1)).sum(1)
        seen = (self.first_history(batch["history_items"]).squeeze(2) * mask).sum(1) / mask.sum(1).clamp(min=1)
        first = (self.first_users(batch["users"]) + self.first_items(batch["items"]) + self.first_categories(batch["categories"])).squeeze(1) + seen + self.bias
        x = F.dropout(v.reshape(v.shape[0], -1), self.rate, self.training)
        return first + pairs + self.deep(x).squeeze(1)


if __name__ == "__main__":
    main(DeepFM)
