/** Entry of an item2vec worker thread when running from compiled JavaScript (see pool.ts). */
import { parentPort } from 'node:worker_threads';
import { sgnsRun, workerMain } from './kernel.js';

if (parentPort === null) throw new Error('item2vec worker.js: must be started as a worker thread');
workerMain(parentPort, sgnsRun);
