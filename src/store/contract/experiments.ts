import { it, expect } from 'vitest';
import type { Store } from '../types.js';
import { contractSuite, T0, type Cleanup, type Opener } from './fixtures.js';

/**
 * The ExperimentStore contract: every implementation runs it (one factory per implementation,
 * each call returning a fresh, empty, isolated subject).
 */
export function experimentContract(name: string, open: Opener<Pick<Store, 'experiments' | 'close'>>, cleanup?: Cleanup): void {
  contractSuite(`ExperimentStore contract: ${name}`, open, cleanup, (store) => {
    it('keeps experiments with their status', async () => {
      const x = { name: 'e1', def: { name: 'e1', surfaces: ['radio'] }, status: 'draft', createdAt: T0, startedAt: null, stoppedAt: null, offset: 0, shippedVariant: null };
      expect(await store().experiments.create(x)).toBe(true);
      expect(await store().experiments.create({ ...x, status: 'running' })).toBe(false);
      expect(await store().experiments.update('e1', { status: 'running', startedAt: T0 + 1, offset: 0.25 })).toBe(true);
      expect(await store().experiments.get('e1')).toEqual({ ...x, status: 'running', startedAt: T0 + 1, offset: 0.25 });
      expect(await store().experiments.update('nope', { status: 'running' })).toBe(false);
      expect((await store().experiments.list()).map((e) => e.name)).toEqual(['e1']);
    });
  });
}
