import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from './index.js';
import { storeCopyContract } from './contract/index.js';

let dir = '';
let n = 0;
const fresh = async () => {
  if (dir === '') dir = mkdtempSync(join(tmpdir(), 'segue-copy-'));
  return openStore(join(dir, `s${n++}.db`));
};
storeCopyContract('sqlite to sqlite', fresh, fresh, async () => {
  rmSync(dir, { recursive: true, force: true });
  dir = '';
});
