"""PyTorch reference for RecLab's GRU4Rec (src/recsys/models/sequence/gru4rec.ts): the same
layers, initialisation, loss, batches and optimiser, on the training windows
`bench/sequence.ts` writes, so samples/second compare like with like.

    python3 gru4rec.py DIR     (DIR holds spec.json, inputs.i32, targets.i32 and counts.i32)

Prints one JSON line (see sequence_training.py). The model: item embeddings, dropout, a GRU
(PyTorch's is RecLab's: the reset gate applies to the recurrent product including its
bias), dropout, a dense projection to the embedding width; each slot's state scores its next
item by inner product with the item embeddings. Loss: a sampled softmax over `negatives`
items shared by the batch (drawn as RecLab's sampler draws, popularity^alpha by default),
log-Q corrected, a negative that is the slot's own next item masked out; or, with spec
"loss" "full", the softmax over every item.

RecLab's GRU lets a padding slot pass the state unchanged, so with its left padding the
state at each item is the GRU's from a zero state over the items alone. Here each window
is moved to the left (padding on the right) before the GRU: the same states at every item,
from PyTorch's own GRU kernel without masking.
"""
import math

import torch
import torch.nn.functional as F

from sequence_training import MASKED, dense, embedding, glorot, main


class GRU4Rec(torch.nn.Module):
    def __init__(self, spec, num_items):
        super().__init__()
        d, hidden = spec["embeddingDim"], spec["hidden"]
        self.rate, self.negatives, self.log_q_correction = spec["dropout"], spec["negatives"], spec["logQ"]
        self.full = spec["loss"] == "full"
        self.items = embedding(num_items + 1, d)
        self.gru = torch.nn.GRU(d, hidden, batch_first=True)
        # RecLab's kernels are [inputs, 3·hidden] and [hidden, 3·hidden], glorot-uniform; biases zero.
        glorot(self.gru.weight_ih_l0, d, 3 * hidden)
        glorot(self.gru.weight_hh_l0, hidden, 3 * hidden)
        torch.nn.init.zeros_(self.gru.bias_ih_l0)
        torch.nn.init.zeros_(self.gru.bias_hh_l0)
        self.project = dense(hidden, d)

    def forward(self, inputs):
        x = F.dropout(self.items(inputs), self.rate, self.training)
        states, _ = self.gru(x)
        return self.project(F.dropout(states, self.rate, self.training))

    def loss(self, inputs, targets, sampler):
        length = inputs.shape[1]
        # Left padding to right padding: row r rolled left by its padding.
        shift = (torch.arange(length)[None, :] + (inputs == 0).sum(1, keepdim=True)) % length
        inputs, targets = inputs.gather(1, shift), targets.gather(1, shift)
        states = self(inputs).reshape(-1, self.items.embedding_dim)
        targets = targets.reshape(-1)
        rows = targets > 0
        h, positives = states[rows], targets[rows]
        if self.full:
            return F.cross_entropy(h @ self.items.weight[1:].T, positives - 1)
        k = self.negatives
        drawn = sampler.draw(k)
        positive = (h * self.items(positives)).sum(1)
        negative = h @ self.items(drawn + 1).T
        if self.log_q_correction:
            negative = negative - (math.log(k) + sampler.log_q[drawn])
            positive = positive - (math.log(k) + sampler.log_q[positives - 1])
        hits = (drawn[None, :] == (positives - 1)[:, None]).float() * MASKED
        logits = torch.cat([positive[:, None], negative + hits], 1)
        return (torch.logsumexp(logits, 1) - positive).mean()


if __name__ == "__main__":
    main(GRU4Rec)
