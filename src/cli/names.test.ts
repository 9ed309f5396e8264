import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/index.js';
import { NAME_WIDTH, TrackNames } from './names.js';
import { clip } from './output.js';

let store: Store;
beforeAll(async () => {
  store = await openStore(':memory:');
  await store.ingest({
    tracks: [
      { id: 't1', title: 'Gold', artists: [{ id: 'a1', name: 'The Burning Roads' }, { id: 'a2', name: 'Nora Koia' }], album: { id: 'b1', title: 'Gold EP' } },
      { id: 't2', title: 'A'.repeat(100), artists: [{ id: 'a1', name: 'The Burning Roads' }] },
    ],
  });
});
afterAll(() => store.close());

describe('TrackNames', () => {
  it('names tracks, their artists and albums from the catalog', async () => {
    const names = await TrackNames.read(store.catalog, ['t1', 't1', 't2']);
    expect(names.title('t1')).toBe('Gold');
    expect(names.artists('t1')).toBe('The Burning Roads, Nora Koia');
    expect(names.artists('t1', ['a2'])).toBe('Nora Koia');
    expect(names.album('t1')).toBe('Gold EP');
    expect(names.album('t2')).toBe('');
  });

  it('shows an id the catalog does not know as the id', async () => {
    const names = await TrackNames.read(store.catalog, ['spotify:track:gone', 't1']);
    expect(names.title('spotify:track:gone')).toBe('spotify:track:gone');
    expect(names.artists('spotify:track:gone', ['name:kat dahlia'])).toBe('name:kat dahlia');
    expect(names.artists('t1', ['a9'])).toBe('a9'); // an artist the track does not credit
    expect(names.album('spotify:track:gone')).toBe('');
    expect(names.title('not asked for')).toBe('not asked for');
  });

  it('clips a long title to the table width, with an ellipsis', async () => {
    const names = await TrackNames.read(store.catalog, ['t2']);
    expect(names.title('t2')).toBe('A'.repeat(NAME_WIDTH.track - 1) + '…');
    expect(Array.from(names.title('t2')).length).toBe(NAME_WIDTH.track);
  });
});

describe('clip', () => {
  it('cuts by characters, not UTF-16 units, and leaves short text alone', () => {
    expect(clip('Symphony No. 9 in D minor, Op. 125', 16)).toBe('Symphony No. 9 …');
    expect(clip('short', 16)).toBe('short');
    expect(clip('🎵🎵🎵🎵', 3)).toBe('🎵🎵…');
    expect(clip('', 5)).toBe('');
  });
});
