"""EASE in NumPy, the bench's reference for RecLab's EASE fit (src/recsys/models/retrieval/ease.ts).

    python3 ease.py DIR     (DIR holds spec.json and the training interactions as CSR: indptr.i32, indices.i32)

The same computation, as Steck's code has it: the items with at least minCount training
interactions, G = XᵀX of the binary user × item matrix, G + λI, P = numpy.linalg.inv(G),
B = −P / diag(P) with the diagonal zeroed. Timed from the interactions to B, with BLAS on
spec["threads"] threads. Prints one JSON line: the time, the items kept (catalogue indices),
and B's row of the most frequent item, so that RecLab's weights can be compared.
"""
import json
import os
import sys
import time


def main(folder):
    with open(f"{folder}/spec.json") as f:
        spec = json.load(f)
    # BLAS reads its thread count once, when NumPy loads.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(spec["threads"])
    import numpy as np

    indptr = np.fromfile(f"{folder}/indptr.i32", dtype="<i4")
    indices = np.fromfile(f"{folder}/indices.i32", dtype="<i4")
    num_users, num_items = len(indptr) - 1, spec["numItems"]
    # The first BLAS call starts its threads: not part of the fit.
    np.linalg.inv(np.eye(64) * 2)

    started = time.perf_counter()
    users = np.repeat(np.arange(num_users), np.diff(indptr))
    counts = np.bincount(indices, minlength=num_items)
    kept = np.flatnonzero(counts >= spec["minCount"])
    position = np.full(num_items, -1)
    position[kept] = np.arange(len(kept))
    modelled = position[indices] >= 0
    x = np.zeros((num_users, len(kept)))
    x[users[modelled], position[indices[modelled]]] = 1.0
    g = x.T @ x
    g[np.diag_indices_from(g)] += spec["lambda"]
    p = np.linalg.inv(g)
    b = -p / np.diag(p)
    np.fill_diagonal(b, 0.0)
    fit_ms = (time.perf_counter() - started) * 1000

    # The most frequent item, the first of equals as RecLab orders them.
    top = int(np.argmax(counts[kept]))
    print(json.dumps({"fitMs": fit_ms, "kept": kept.tolist(), "item": int(kept[top]), "row": b[top].tolist()}))


if __name__ == "__main__":
    main(sys.argv[1])
