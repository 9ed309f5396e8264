import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy } from '../sequencing/index.js';
import type { GlobalOptions } from './context.js';
import { CliError } from './errors.js';
import { policyArg, surfacePolicy } from './policy.js';
import { runSegue } from './testing.js';

const dir = mkdtempSync(join(tmpdir(), 'segue-policy-cli-'));
const db = join(dir, 'p.db');
const g = { store: db, json: false, debug: false } as GlobalOptions;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  await runSegue(['--store', db, 'policy', 'save', 'calm', '{"objectives":{"flow":2}}']);
  await runSegue(['--store', db, 'experiment', 'create', JSON.stringify({
    name: 'more-emerging', surfaces: ['radio'], variants: [{ name: 'control', weight: 1 }, { name: 'treatment', weight: 1, policy: { objectives: { emergingArtists: 0.4 } } }],
  })]);
});

describe('policyArg: every form a command takes a policy in', () => {
  it('default, a file, a saved name, <experiment>:<variant> and inline JSON all give a partial policy', async () => {
    const file = join(dir, 'p.json');
    writeFileSync(file, '{"length":12}');
    expect(await policyArg(g, '--policy', 'default')).toEqual({});
    expect(await policyArg(g, '--policy', file)).toEqual({ length: 12 });
    expect(await policyArg(g, '--policy', 'calm')).toEqual({ objectives: { flow: 2 } });
    expect(await policyArg(g, '--policy', 'more-emerging:treatment')).toEqual({ objectives: { emergingArtists: 0.4 } });
    expect(await policyArg(g, '--policy', 'more-emerging:control')).toEqual({});
    expect(await policyArg(g, '--policy', '{"constraints":{"artistSeparation":5}}')).toEqual({ constraints: { artistSeparation: 5 } });
  });

  it('says which flag and what is wrong', async () => {
    const cases: Array<[GlobalOptions, string, RegExp]> = [
      [g, 'more-emerging:nope', /^--target: experiment more-emerging has no variant nope$/],
      [g, 'nope:treatment', /^--target: .*nope/],
      [g, 'missing', /^--target: no policy named "missing"/],
      [g, '"just a string"', /^--target: expected a JSON object \(a partial policy\)/],
      [{ ...g, store: join(dir, 'absent.db') }, 'calm', /^--target: "calm" is not a file, and there is no store/],
    ];
    for (const [opts, v, message] of cases) {
      const p = policyArg(opts, '--target', v);
      await expect(p).rejects.toThrow(message);
      await expect(p).rejects.toBeInstanceOf(CliError);
    }
  });
});

describe('surfacePolicy: the partial over the surface\'s default', () => {
  it('changes only what the partial names; a whole policy stands as given', async () => {
    const expected = defaultPolicy('radio');
    expected.objectives.flow = 2;
    expect(await surfacePolicy(g, '--policy', 'calm', 'radio')).toEqual(expected);
    expect(await surfacePolicy(g, '--policy', 'default', 'autoplay')).toEqual(defaultPolicy('autoplay'));
    const file = join(dir, 'whole.json');
    writeFileSync(file, JSON.stringify(expected));
    expect(await surfacePolicy(g, '--policy', file, 'radio')).toEqual(expected);
  });

  it('names the flag, the source and the field of a bad policy', async () => {
    await expect(surfacePolicy(g, '--policy', '{"weights":{"flow":1}}', 'radio')).rejects.toThrow(/^--policy: weights: unexpected property, got \{"flow":1\}$/);
    await runSegue(['--store', db, 'policy', 'save', 'for-radio', '{"surface":"radio"}']);
    await expect(surfacePolicy(g, '--policy', 'for-radio', 'autoplay')).rejects.toThrow(/^--policy for-radio: surface is "radio", but the request is for autoplay$/);
  });
});
