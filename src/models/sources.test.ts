import { describe, it, expect } from 'vitest';
import { DEFAULT_SOURCES, SOURCE_NAMES, SOURCE_TABLE, isSourceName, sourceDefaults } from './sources.js';
import { TRAINABLE, defaultTrainConfig, trainConfig } from './train.js';

describe('the one table of candidate sources', () => {
  it('has one entry per name, and nothing else', () => {
    expect(Object.keys(SOURCE_TABLE).sort()).toEqual([...SOURCE_NAMES].sort());
    expect(TRAINABLE).toEqual(SOURCE_NAMES);
    for (const s of SOURCE_NAMES) expect(isSourceName(s)).toBe(true);
    // Not fooled by what every object inherits.
    for (const s of ['toString', 'constructor', 'ranker', 'fresh', '']) expect(isSourceName(s)).toBe(false);
  });

  it('gives the train config one section per source, in the list order, each a fresh copy', () => {
    expect(Object.keys(defaultTrainConfig())).toEqual(['sessionGapMinutes', ...SOURCE_NAMES]);
    const a = sourceDefaults(), b = sourceDefaults();
    for (const s of SOURCE_NAMES) {
      expect(a[s]).toEqual(b[s]);
      expect(a[s]).not.toBe(b[s]);
    }
    expect(() => trainConfig({ bogus: {} })).toThrow(/config\.bogus: unknown key; keys: sessionGapMinutes, transitions, sknn, item2vec, als, content, popularity/);
  });

  it('serves a default set drawn from the list', () => {
    for (const s of DEFAULT_SOURCES) expect(SOURCE_NAMES).toContain(s);
  });
});
