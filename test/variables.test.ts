/** The variable inspector's queries: what each declared name is, in one line, and its display on request. */
import { describe, expect, it } from 'vitest';
import type { KernelClient } from '../src/kernel-client';
import { MIME } from '../src/notebook';
import { run, suiteKernel } from './helpers/kernel';

describe('variables', () => {
  let kernel: KernelClient;
  suiteKernel((k) => (kernel = k));

  it('lists the names cells declared with their type, a summary and the memory they hold', async () => {
    await run(
      kernel,
      '-- name: ratings\nSELECT range AS user_id, range % 7 AS item_id FROM range(1000)',
      'sql',
    );
    await run(
      kernel,
      [
        'const n = 42;',
        "const title = 'Toy Story';",
        'const scores = new Float32Array(256);',
        'const weights = tf.zeros([3, 4]);',
        'const data = rl.synthetic({ users: 30, items: 20, seed: 1 });',
        'const pop = new rl.MostPopular();',
        'const fittedPop = new rl.MostPopular();',
        'await fittedPop.fit(data);',
        'const plain = { a: 1, b: [2] };',
        'function helper(x: number, y: number) { return x + y; }',
        'class Broken { toString(): string { throw new Error("no summary"); } }',
        'const broken = new Broken();',
      ].join('\n'),
    );
    const vars = await kernel.query('variables', {});
    const byName = Object.fromEntries(vars.map((v) => [v.name, v]));
    expect(vars.map((v) => v.name)).toEqual([...vars.map((v) => v.name)].sort((a, b) => a.localeCompare(b)));
    expect(byName.n).toEqual({ name: 'n', type: 'number', summary: '42' });
    expect(byName.title).toEqual({ name: 'title', type: 'string', summary: '"Toy Story"' });
    expect(byName.scores).toEqual({
      name: 'scores',
      type: 'Float32Array',
      summary: '256 elements',
      bytes: 1024,
    });
    expect(byName.weights).toEqual({
      name: 'weights',
      type: 'Tensor float32',
      summary: 'shape [3, 4]',
      bytes: 48,
    });
    expect(byName.ratings).toMatchObject({
      type: 'Table',
      summary: '1,000 rows × 2 columns: user_id, item_id',
    });
    expect(byName.data.type).toBe('Dataset');
    expect(byName.data.summary).toMatch(/^Dataset ".*": 30 users, 20 items/);
    expect(byName.pop).toMatchObject({ type: 'MostPopular', summary: 'not fitted yet' });
    expect(byName.fittedPop.summary).toMatch(/^fitted on 30 users × 20 items/);
    expect(byName.plain).toMatchObject({ type: 'Object', summary: '{a, b}' });
    expect(byName.helper).toMatchObject({ type: 'function', summary: 'helper(2 arguments)' });
    expect(byName.Broken).toMatchObject({ type: 'class' });
    expect(byName.broken.summary).toBe('(its summary failed: no summary)');
    // The kernel's own globals are not the notebook's variables.
    for (const own of ['tf', 'db', 'rl', 'display', 'progress']) expect(byName[own]).toBeUndefined();
  });

  it('displays one variable as a cell would, and names one that is gone', async () => {
    await run(kernel, '-- name: shown\nSELECT 1 AS one', 'sql');
    const bundle = await kernel.query('displayVariable', { name: 'shown' });
    expect(bundle[MIME.table]).toMatchObject({ numRows: 1 });
    // The kernel's own globals and Node's are not the notebook's variables to show.
    for (const name of ['tf', 'process'])
      await expect(kernel.query('displayVariable', { name })).rejects.toThrow(
        `There is no variable "${name}"`,
      );
    await expect(kernel.query('displayVariable', { name: 'nowhere' })).rejects.toThrow(
      'There is no variable "nowhere" in the kernel (any more): run the cell that declares it.',
    );
  });
});
