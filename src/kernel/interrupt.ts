/** Thrown into a cell that the user interrupted. */
export class InterruptError extends Error {
  constructor() {
    super('The cell was interrupted.');
    this.name = 'Interrupted';
  }
}

/**
 * Cooperative interruption: every `await` in a cell goes through {@link guard}, which
 * rejects as soon as the user interrupts, so the cell stops at its next await even if
 * the thing awaited never settles.
 */
export class InterruptSignal {
  private interrupted = false;
  private rejectCurrent: ((e: Error) => void) | undefined;
  private current: Promise<never> = this.arm();

  get isInterrupted(): boolean {
    return this.interrupted;
  }

  /** Starts a new execution with the signal cleared. */
  reset(): void {
    this.interrupted = false;
    this.current = this.arm();
  }

  interrupt(): void {
    this.interrupted = true;
    this.rejectCurrent?.(new InterruptError());
  }

  /** Throws when interrupted; for loops that report progress. */
  check(): void {
    if (this.interrupted) throw new InterruptError();
  }

  guard<T>(value: T | PromiseLike<T>): Promise<Awaited<T>> {
    if (this.interrupted) return Promise.reject(new InterruptError());
    if (!isThenable(value)) return Promise.resolve(value as Awaited<T>);
    return Promise.race([value as PromiseLike<Awaited<T>>, this.current]).then((v) => {
      this.check();
      return v;
    });
  }

  private arm(): Promise<never> {
    const p = new Promise<never>((_, reject) => (this.rejectCurrent = reject));
    p.catch(() => undefined);
    return p;
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    (typeof v === 'object' || typeof v === 'function') &&
    v !== null &&
    typeof (v as PromiseLike<unknown>).then === 'function'
  );
}
