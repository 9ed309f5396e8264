import { describe, it, expect } from 'vitest';
import { Batcher } from './batch.js';

describe('Batcher', () => {
  it('reports full at size and hands over what it holds', () => {
    const b = new Batcher<number>(3);
    expect([b.push(1), b.push(2), b.push(3)]).toEqual([false, false, true]);
    expect(b.take()).toEqual([1, 2, 3]);
    expect(b.length).toBe(0);
    b.push(4);
    expect(b.take()).toEqual([4]);
    expect(b.take()).toEqual([]);
  });
});
