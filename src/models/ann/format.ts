/**
 * The saved form of every index: "SANN", a format version, a JSON header (kind, metric,
 * dims, size, parameters), then the implementation's payload, 8-byte aligned so that a
 * Float32Array can view it in place.
 */
import type { AnnKind, AnnMetric } from './ann-index.js';

const MAGIC = 0x4e4e4153; // "SANN" little-endian
const VERSION = 1;

export interface AnnHeader {
  kind: AnnKind;
  metric: AnnMetric;
  dims: number;
  size: number;
  params?: Record<string, number>;
}

/** Header + payload in one buffer. */
export function packIndex(header: AnnHeader, payload: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = (12 + json.length + 7) & ~7;
  const out = new Uint8Array(start + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(payload, start);
  return out;
}

/** Reads what `packIndex` wrote; the payload is a view, not a copy. */
export function unpackIndex(bytes: Uint8Array, expect?: AnnKind): { header: AnnHeader; payload: Uint8Array } {
  if (bytes.length < 12) throw new RangeError(`ann index: ${bytes.length} bytes is too short for a header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new RangeError('ann index: bad magic, not a saved Segue ANN index');
  const version = view.getUint32(4, true);
  if (version !== VERSION) throw new RangeError(`ann index: format version ${version}, this build reads ${VERSION}`);
  const len = view.getUint32(8, true);
  if (12 + len > bytes.length) throw new RangeError(`ann index: header of ${len} bytes runs past the end (${bytes.length})`);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + len))) as AnnHeader;
  if (expect !== undefined && header.kind !== expect) throw new RangeError(`ann index: saved kind is ${header.kind}, expected ${expect}`);
  if (header.metric !== 'cosine' && header.metric !== 'ip') throw new RangeError(`ann index: unknown metric ${String(header.metric)}`);
  const start = (12 + len + 7) & ~7;
  return { header, payload: bytes.subarray(start) };
}
