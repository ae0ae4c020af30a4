import { describe, expect, it } from 'vitest';
import { TickBatch } from '../../src/runs/tick-batch.js';

describe('a tick batch', () => {
  it('sends what is asked in one turn together, per group, and answers each caller in order', async () => {
    const sent: number[][] = [];
    const batch = new TickBatch<number, string>({
      groupOf: (n) => n % 2,
      send: async (items) => {
        sent.push(items);
        return items.map((n) => `answer ${n}`);
      },
    });
    const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => batch.submit(n)));
    expect(answers).toEqual(['answer 1', 'answer 2', 'answer 3', 'answer 4', 'answer 5']);
    expect(sent.sort((a, b) => a[0] - b[0])).toEqual([[1, 3, 5], [2, 4]]);
    // A later turn is a new batch.
    expect(await batch.submit(7)).toBe('answer 7');
    expect(sent.at(-1)).toEqual([7]);
  });

  it('fails only the item that failed, and every item when the send fails', async () => {
    const perItem = new TickBatch<number, number>({ groupOf: () => 0, send: async (items) => items.map((n) => (n === 2 ? new Error('two') : n)) });
    const results = await Promise.allSettled([1, 2, 3].map((n) => perItem.submit(n)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const whole = new TickBatch<number, number>({ groupOf: () => 0, send: async () => { throw new Error('Redis is away'); } });
    const failed = await Promise.allSettled([1, 2].map((n) => whole.submit(n)));
    expect(failed.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok'))).toEqual(['Redis is away', 'Redis is away']);
  });

  it('splits a group larger than the batch limit', async () => {
    const sizes: number[] = [];
    const batch = new TickBatch<number, number>({ groupOf: () => 0, maxBatch: 4, send: async (items) => (sizes.push(items.length), items) });
    expect(await Promise.all(Array.from({ length: 10 }, (_, i) => batch.submit(i)))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(sizes).toEqual([4, 4, 2]);
  });

  it('sends a group as soon as it holds sendAt items, before the end of the turn, and the rest at the end', async () => {
    const sent: number[][] = [];
    const batch = new TickBatch<number, number>({ groupOf: (n) => n % 2, sendAt: 3, send: async (items) => (sent.push([...items]), items) });
    const answers = [0, 1, 2, 3, 4, 5, 6].map((n) => batch.submit(n));
    // Still in the same turn: each group went out when it reached three items; 6 waits for the end of the turn.
    expect(sent).toEqual([[0, 2, 4], [1, 3, 5]]);
    expect(await Promise.all(answers)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(sent).toEqual([[0, 2, 4], [1, 3, 5], [6]]);
  });
});
