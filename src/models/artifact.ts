/**
 * The binary artifact every model saves into the store's model registry: a header, a JSON
 * part (model name, format version, config, vocabularies, descriptions of the arrays) and
 * the typed arrays themselves, each 8-byte aligned so that loading is a view, not a copy.
 *
 *   bytes 0-3  'SEGM'
 *   bytes 4-7  artifact format version (uint32 LE)
 *   bytes 8-11 JSON length n (uint32 LE)
 *   bytes 12.. JSON (UTF-8), padded to a multiple of 8
 *   then each array in the order the JSON lists them, padded to 8 bytes
 */

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array | Int8Array | Int16Array | Uint16Array;

const CTORS = { Float32Array, Float64Array, Int32Array, Uint32Array, Uint8Array, Int8Array, Int16Array, Uint16Array } as const;
type DType = keyof typeof CTORS;

const MAGIC = 0x4d474553; // 'SEGM' little-endian
export const ARTIFACT_VERSION = 1;

export interface ArtifactMeta {
  /** Which model wrote it, e.g. 'transitions'. */
  model: string;
  /** The model's own format version: a loader refuses versions it does not know. */
  modelVersion: number;
  [key: string]: unknown;
}

/** A failure to read an artifact: says what is wrong and with which model. */
export class ArtifactError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArtifactError';
  }
}

const pad8 = (n: number): number => (n + 7) & ~7;

/**
 * @example const bytes = encodeArtifact({ model: 'pop', modelVersion: 1 }, { counts: Float64Array.of(3, 1) });
 */
export function encodeArtifact(meta: ArtifactMeta, arrays: Record<string, TypedArray>): Uint8Array {
  const entries = Object.entries(arrays).map(([name, a]) => {
    const dtype = a.constructor.name as DType;
    if (!(dtype in CTORS)) throw new ArtifactError(`array ${name}: unsupported type ${a.constructor.name}`);
    return { name, dtype, length: a.length, array: a };
  });
  const json = new TextEncoder().encode(JSON.stringify({ ...meta, arrays: entries.map(({ name, dtype, length }) => ({ name, dtype, length })) }));
  let size = pad8(12 + json.length);
  for (const e of entries) size += pad8(e.array.byteLength);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, ARTIFACT_VERSION, true);
  view.setUint32(8, json.length, true);
  out.set(json, 12);
  let off = pad8(12 + json.length);
  for (const e of entries) {
    out.set(new Uint8Array(e.array.buffer, e.array.byteOffset, e.array.byteLength), off);
    off += pad8(e.array.byteLength);
  }
  return out;
}

/** Read an artifact written by encodeArtifact; `expect` names the model that must have written it. */
export function decodeArtifact(bytes: Uint8Array, expect?: { model: string; modelVersion: number }): { meta: ArtifactMeta; arrays: Record<string, TypedArray> } {
  const what = expect ? `${expect.model} artifact` : 'artifact';
  if (bytes.byteLength < 12) throw new ArtifactError(`${what}: ${bytes.byteLength} bytes is too short to be a Segue model`);
  // Copy into an 8-byte aligned buffer when needed, so that arrays can be views.
  const buf = bytes.byteOffset % 8 === 0 ? bytes : new Uint8Array(bytes);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new ArtifactError(`${what}: not a Segue model artifact (bad magic)`);
  const version = view.getUint32(4, true);
  if (version !== ARTIFACT_VERSION) throw new ArtifactError(`${what}: artifact format ${version}, this Segue reads ${ARTIFACT_VERSION}`);
  const n = view.getUint32(8, true);
  if (12 + n > buf.byteLength) throw new ArtifactError(`${what}: truncated (header says ${n} bytes of JSON, ${buf.byteLength - 12} present)`);
  let meta: ArtifactMeta & { arrays?: Array<{ name: string; dtype: DType; length: number }> };
  try {
    meta = JSON.parse(new TextDecoder().decode(buf.subarray(12, 12 + n))) as typeof meta;
  } catch (err) {
    throw new ArtifactError(`${what}: unreadable JSON part (${(err as Error).message})`);
  }
  if (expect && (meta.model !== expect.model || meta.modelVersion !== expect.modelVersion)) {
    throw new ArtifactError(`${what}: holds ${meta.model} version ${meta.modelVersion}, expected ${expect.model} version ${expect.modelVersion}`);
  }
  const arrays: Record<string, TypedArray> = {};
  let off = pad8(12 + n);
  for (const d of meta.arrays ?? []) {
    const Ctor = CTORS[d.dtype];
    if (Ctor === undefined) throw new ArtifactError(`${what}: array ${d.name} has unknown type ${d.dtype}`);
    const bytesLen = d.length * Ctor.BYTES_PER_ELEMENT;
    if (off + bytesLen > buf.byteLength) throw new ArtifactError(`${what}: truncated in array ${d.name} (needs ${bytesLen} bytes at ${off}, file has ${buf.byteLength})`);
    arrays[d.name] = new Ctor(buf.buffer as ArrayBuffer, buf.byteOffset + off, d.length);
    off += pad8(bytesLen);
  }
  delete meta.arrays;
  return { meta, arrays };
}
