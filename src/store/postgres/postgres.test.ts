import { describe, it } from 'vitest';
import { storeContract } from '../contract/index.js';
import { requirePostgres, skipMessage, testStores } from './testing.js';

const pgUp = await requirePostgres();
if (!pgUp) describe.skip(skipMessage(), () => it('needs PostgreSQL', () => {}));

if (pgUp) {
  const stores = testStores();
  storeContract('postgres', stores.open, stores.cleanup);
}
