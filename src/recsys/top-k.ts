/**
 * The k best of a stream of (id, score) pairs, kept in a min-heap of typed arrays: a
 * full ranking touches every candidate once and sorts only the k kept. Equal scores rank
 * the lower id first, so the result does not depend on the order candidates arrive in.
 */
export class TopK {
  private readonly ids: Int32Array;
  private readonly scores: Float32Array;
  private size = 0;

  constructor(readonly k: number) {
    this.ids = new Int32Array(k);
    this.scores = new Float32Array(k);
  }

  /** Candidates scoring below this cannot enter; -Infinity until k are held. */
  get threshold(): number {
    return this.size < this.k ? -Infinity : this.scores[0];
  }

  push(id: number, score: number): void {
    if (this.size < this.k) {
      this.siftUp(this.size++, id, score);
    } else if (this.k > 0 && this.worse(0, id, score)) {
      this.siftDown(id, score);
    }
  }

  /** The kept pairs, best first. Empties the heap. */
  take(): { ids: Int32Array; scores: Float32Array } {
    const order = Array.from({ length: this.size }, (_, i) => i).sort(
      (a, b) => this.scores[b] - this.scores[a] || this.ids[a] - this.ids[b],
    );
    const ids = Int32Array.from(order, (i) => this.ids[i]);
    const scores = Float32Array.from(order, (i) => this.scores[i]);
    this.size = 0;
    return { ids, scores };
  }

  /** Whether the pair held at `i` ranks below (id, score). */
  private worse(i: number, id: number, score: number): boolean {
    return this.scores[i] < score || (this.scores[i] === score && this.ids[i] > id);
  }

  private siftUp(i: number, id: number, score: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.worse(parent, id, score)) break;
      this.move(parent, i);
      i = parent;
    }
    this.ids[i] = id;
    this.scores[i] = score;
  }

  private siftDown(id: number, score: number): void {
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.size) break;
      const right = left + 1;
      const child = right < this.size && this.worse(right, this.ids[left], this.scores[left]) ? right : left;
      if (!this.worse(child, id, score)) break;
      this.move(child, i);
      i = child;
    }
    this.ids[i] = id;
    this.scores[i] = score;
  }

  private move(from: number, to: number): void {
    this.ids[to] = this.ids[from];
    this.scores[to] = this.scores[from];
  }
}
