/**
 * A small, synchronous assembler from WebAssembly text to binary, for kernels that must be
 * ready inside a synchronous call (tree scoring: `GbdtModel.margins` compiles its kernel
 * on first use). It reads the folded S-expression form the kernels are written in: one
 * module that imports its memory as env.memory (shared or not), functions with params, one result, locals,
 * and exports; blocks, loops, if/then/else, br, br_if, br_table; the integer, float and
 * SIMD instructions listed in OPS below, with `offset=` and lane immediates. Anything else
 * is an error that names it. Its output is byte for byte what wabt writes for the same
 * text (wat-binary.test.ts holds it to that), which remains the reference for kernels
 * compiled asynchronously (`compileWat`).
 *
 * @example
 *   const bytes = assembleWat('(module (import "env" "memory" (memory 1)) (func (export "two") (result i32) (i32.const 2)))');
 *   new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: new WebAssembly.Memory({ initial: 1 }) } });
 */

type Sexp = string | Sexp[];

const TYPES: Record<string, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Plain opcodes: one byte, or 0xfd (SIMD) / 0xfc followed by a LEB128 number. No immediates. */
const OPS: Record<string, number[]> = {
  unreachable: [0x00], nop: [0x01], drop: [0x1a], select: [0x1b], return: [0x0f],
  'i32.eqz': [0x45], 'i32.eq': [0x46], 'i32.ne': [0x47], 'i32.lt_s': [0x48], 'i32.lt_u': [0x49], 'i32.gt_s': [0x4a], 'i32.gt_u': [0x4b],
  'i32.le_s': [0x4c], 'i32.le_u': [0x4d], 'i32.ge_s': [0x4e], 'i32.ge_u': [0x4f],
  'f32.eq': [0x5b], 'f32.ne': [0x5c], 'f32.lt': [0x5d], 'f32.gt': [0x5e], 'f32.le': [0x5f], 'f32.ge': [0x60],
  'f64.eq': [0x61], 'f64.ne': [0x62], 'f64.lt': [0x63], 'f64.gt': [0x64], 'f64.le': [0x65], 'f64.ge': [0x66],
  'i32.clz': [0x67], 'i32.ctz': [0x68], 'i32.popcnt': [0x69], 'i32.add': [0x6a], 'i32.sub': [0x6b], 'i32.mul': [0x6c],
  'i32.div_s': [0x6d], 'i32.div_u': [0x6e], 'i32.rem_s': [0x6f], 'i32.rem_u': [0x70], 'i32.and': [0x71], 'i32.or': [0x72], 'i32.xor': [0x73],
  'i32.shl': [0x74], 'i32.shr_s': [0x75], 'i32.shr_u': [0x76],
  'f32.add': [0x92], 'f32.sub': [0x93], 'f32.mul': [0x94], 'f64.add': [0xa0], 'f64.sub': [0xa1], 'f64.mul': [0xa2],
  'memory.fill': [0xfc, 0x0b, 0x00], 'memory.copy': [0xfc, 0x0a, 0x00, 0x00],
  'i8x16.splat': [0xfd, 0x0f], 'i16x8.splat': [0xfd, 0x10], 'i32x4.splat': [0xfd, 0x11], 'i64x2.splat': [0xfd, 0x12],
  'f32x4.splat': [0xfd, 0x13], 'f64x2.splat': [0xfd, 0x14],
  'i8x16.eq': [0xfd, 0x23], 'i8x16.ne': [0xfd, 0x24], 'i8x16.gt_s': [0xfd, 0x27], 'i8x16.gt_u': [0xfd, 0x28],
  'i32x4.eq': [0xfd, 0x37], 'i32x4.ne': [0xfd, 0x38], 'i32x4.lt_s': [0xfd, 0x39], 'i32x4.gt_s': [0xfd, 0x3b],
  'f32x4.eq': [0xfd, 0x41], 'f32x4.ne': [0xfd, 0x42], 'f32x4.lt': [0xfd, 0x43], 'f32x4.gt': [0xfd, 0x44], 'f32x4.le': [0xfd, 0x45], 'f32x4.ge': [0xfd, 0x46],
  'v128.not': [0xfd, 0x4d], 'v128.and': [0xfd, 0x4e], 'v128.andnot': [0xfd, 0x4f], 'v128.or': [0xfd, 0x50], 'v128.xor': [0xfd, 0x51],
  'v128.bitselect': [0xfd, 0x52], 'v128.any_true': [0xfd, 0x53],
  'i8x16.neg': [0xfd, 0x61], 'i8x16.bitmask': [0xfd, 0x64], 'i8x16.shl': [0xfd, 0x6b], 'i8x16.shr_u': [0xfd, 0x6d],
  'i8x16.add': [0xfd, 0x6e], 'i8x16.sub': [0xfd, 0x71], 'i8x16.min_u': [0xfd, 0x77], 'i8x16.max_u': [0xfd, 0x79],
  'i16x8.extend_low_i8x16_u': [0xfd, 0x89, 0x01], 'i16x8.extend_high_i8x16_u': [0xfd, 0x8a, 0x01],
  'i16x8.shl': [0xfd, 0x8b, 0x01], 'i16x8.shr_u': [0xfd, 0x8d, 0x01], 'i16x8.add': [0xfd, 0x8e, 0x01], 'i16x8.sub': [0xfd, 0x91, 0x01],
  'i32x4.bitmask': [0xfd, 0xa4, 0x01], 'i32x4.shl': [0xfd, 0xab, 0x01], 'i32x4.shr_s': [0xfd, 0xac, 0x01], 'i32x4.shr_u': [0xfd, 0xad, 0x01],
  'i32x4.add': [0xfd, 0xae, 0x01], 'i32x4.sub': [0xfd, 0xb1, 0x01], 'i32x4.mul': [0xfd, 0xb5, 0x01],
  'i32x4.min_s': [0xfd, 0xb6, 0x01], 'i32x4.min_u': [0xfd, 0xb7, 0x01], 'i32x4.max_s': [0xfd, 0xb8, 0x01], 'i32x4.max_u': [0xfd, 0xb9, 0x01],
  'i64x2.shl': [0xfd, 0xcb, 0x01], 'i64x2.shr_s': [0xfd, 0xcc, 0x01], 'i64x2.shr_u': [0xfd, 0xcd, 0x01], 'i64x2.add': [0xfd, 0xce, 0x01],
  'f32x4.add': [0xfd, 0xe4, 0x01], 'f32x4.sub': [0xfd, 0xe5, 0x01], 'f32x4.mul': [0xfd, 0xe6, 0x01],
  'f64x2.add': [0xfd, 0xf0, 0x01], 'f64x2.sub': [0xfd, 0xf1, 0x01], 'f64x2.mul': [0xfd, 0xf2, 0x01],
};

/** Memory instructions: opcode and natural alignment (log2 bytes, wabt's default). */
const MEM: Record<string, [number[], number]> = {
  'i32.load': [[0x28], 2], 'i64.load': [[0x29], 3], 'f32.load': [[0x2a], 2], 'f64.load': [[0x2b], 3],
  'i32.load8_s': [[0x2c], 0], 'i32.load8_u': [[0x2d], 0], 'i32.load16_s': [[0x2e], 1], 'i32.load16_u': [[0x2f], 1],
  'i32.store': [[0x36], 2], 'i64.store': [[0x37], 3], 'f32.store': [[0x38], 2], 'f64.store': [[0x39], 3], 'i32.store8': [[0x3a], 0], 'i32.store16': [[0x3b], 1],
  'v128.load': [[0xfd, 0x00], 4], 'v128.load8_splat': [[0xfd, 0x07], 0], 'v128.load16_splat': [[0xfd, 0x08], 1], 'v128.load32_splat': [[0xfd, 0x09], 2],
  'v128.store': [[0xfd, 0x0b], 4], 'v128.load32_zero': [[0xfd, 0x5c], 2], 'v128.load64_zero': [[0xfd, 0x5d], 3],
};
/** Memory instructions with a lane after the memory immediate. */
const MEM_LANE: Record<string, [number[], number]> = {
  'v128.load8_lane': [[0xfd, 0x54], 0], 'v128.load16_lane': [[0xfd, 0x55], 1], 'v128.load32_lane': [[0xfd, 0x56], 2], 'v128.load64_lane': [[0xfd, 0x57], 3],
  'v128.store8_lane': [[0xfd, 0x58], 0], 'v128.store16_lane': [[0xfd, 0x59], 1], 'v128.store32_lane': [[0xfd, 0x5a], 2], 'v128.store64_lane': [[0xfd, 0x5b], 3],
};
/** Lane instructions: a lane index immediate. */
const LANE: Record<string, number[]> = {
  'i8x16.extract_lane_s': [0xfd, 0x15], 'i8x16.extract_lane_u': [0xfd, 0x16], 'i8x16.replace_lane': [0xfd, 0x17],
  'i16x8.extract_lane_s': [0xfd, 0x18], 'i16x8.extract_lane_u': [0xfd, 0x19], 'i16x8.replace_lane': [0xfd, 0x1a],
  'i32x4.extract_lane': [0xfd, 0x1b], 'i32x4.replace_lane': [0xfd, 0x1c], 'i64x2.extract_lane': [0xfd, 0x1d], 'i64x2.replace_lane': [0xfd, 0x1e],
  'f32x4.extract_lane': [0xfd, 0x1f], 'f32x4.replace_lane': [0xfd, 0x20], 'f64x2.extract_lane': [0xfd, 0x21], 'f64x2.replace_lane': [0xfd, 0x22],
};

function parse(text: string): Sexp[] {
  const tokens = text.replace(/;;[^\n]*/g, ' ').match(/\(|\)|"[^"]*"|[^\s()]+/g) ?? [];
  const stack: Sexp[][] = [[]];
  for (const t of tokens) {
    if (t === '(') stack.push([]);
    else if (t === ')') {
      const done = stack.pop()!;
      if (stack.length === 0) throw new SyntaxError('wat: unbalanced ")"');
      stack[stack.length - 1]!.push(done);
    } else stack[stack.length - 1]!.push(t);
  }
  if (stack.length !== 1) throw new SyntaxError('wat: unbalanced "("');
  return stack[0]!;
}

function uleb(n: number | bigint, out: number[]): void {
  let v = BigInt(n);
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v !== 0n ? b | 0x80 : b);
  } while (v !== 0n);
}

function sleb(n: number | bigint, out: number[]): void {
  let v = BigInt(n);
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

const integer = (s: string): bigint => (s.startsWith('-') ? -BigInt(s.slice(1).replaceAll('_', '')) : BigInt(s.replaceAll('_', '')));

/** Little-endian bytes of a v128.const: a shape (i8x16, i16x8, i32x4, i64x2, f32x4, f64x2) and its lanes. */
function v128Bytes(shape: string, lanes: string[]): number[] {
  const n: Record<string, number> = { i8x16: 16, i16x8: 8, i32x4: 4, i64x2: 2, f32x4: 4, f64x2: 2 };
  if (!(shape in n) || lanes.length !== n[shape]) throw new SyntaxError(`wat: v128.const ${shape} needs ${n[shape] ?? '?'} lanes, got ${lanes.length}`);
  const buf = new DataView(new ArrayBuffer(16));
  const w = 16 / n[shape]!;
  lanes.forEach((l, i) => {
    if (shape === 'f32x4') buf.setFloat32(i * 4, Number(l), true);
    else if (shape === 'f64x2') buf.setFloat64(i * 8, Number(l), true);
    else {
      const v = BigInt.asUintN(8 * w, integer(l));
      for (let b = 0; b < w; b++) buf.setUint8(i * w + b, Number((v >> BigInt(8 * b)) & 0xffn));
    }
  });
  return Array.from(new Uint8Array(buf.buffer));
}

interface Func {
  name: string | undefined;
  params: Array<[string | undefined, number]>;
  results: number[];
  locals: Array<[string | undefined, number]>;
  body: Sexp[];
}

/** Encode one function body's instruction list into `out`. */
function encodeBody(f: Func, out: number[]): void {
  const names = new Map<string, number>();
  [...f.params, ...f.locals].forEach(([n], i) => n !== undefined && names.set(n, i));
  const labels: Array<string | undefined> = [];
  const local = (s: string): number => {
    const i = s.startsWith('$') ? names.get(s) : Number(s);
    if (i === undefined || !Number.isInteger(i)) throw new SyntaxError(`wat: func ${f.name ?? '?'}: unknown local ${s}`);
    return i;
  };
  const label = (s: string): number => {
    if (!s.startsWith('$')) return Number(s);
    const i = labels.lastIndexOf(s);
    if (i < 0) throw new SyntaxError(`wat: func ${f.name ?? '?'}: unknown label ${s}`);
    return labels.length - 1 - i;
  };
  const blockType = (rest: Sexp[]): [number, Sexp[]] => {
    const r = rest[0];
    if (Array.isArray(r) && r[0] === 'result') return [TYPES[r[1] as string]!, rest.slice(1)];
    return [0x40, rest];
  };
  const instr = (e: Sexp): void => {
    if (!Array.isArray(e)) throw new SyntaxError(`wat: func ${f.name ?? '?'}: expected a folded instruction, got ${e}`);
    const [op, ...rest] = e as [string, ...Sexp[]];
    const atoms: string[] = [];
    let i = 0;
    for (; i < rest.length && !Array.isArray(rest[i]); i++) atoms.push(rest[i] as string);
    const operands = rest.slice(i);
    if (op === 'block' || op === 'loop') {
      const name = atoms[0]?.startsWith('$') ? atoms[0] : undefined;
      const [bt, body] = blockType(operands);
      out.push(op === 'block' ? 0x02 : 0x03, bt);
      labels.push(name);
      body.forEach(instr);
      labels.pop();
      out.push(0x0b);
      return;
    }
    if (op === 'if') {
      const [bt, parts] = blockType(operands);
      const then = parts.find((p) => Array.isArray(p) && p[0] === 'then') as Sexp[] | undefined;
      const els = parts.find((p) => Array.isArray(p) && p[0] === 'else') as Sexp[] | undefined;
      parts.filter((p) => p !== then && p !== els).forEach(instr);
      out.push(0x04, bt);
      labels.push(atoms[0]?.startsWith('$') ? atoms[0] : undefined);
      (then ?? ['then']).slice(1).forEach(instr);
      if (els) {
        out.push(0x05);
        els.slice(1).forEach(instr);
      }
      labels.pop();
      out.push(0x0b);
      return;
    }
    operands.forEach(instr);
    if (op === 'local.get' || op === 'local.set' || op === 'local.tee') {
      out.push(op === 'local.get' ? 0x20 : op === 'local.set' ? 0x21 : 0x22);
      uleb(local(atoms[0]!), out);
    } else if (op === 'br' || op === 'br_if') {
      out.push(op === 'br' ? 0x0c : 0x0d);
      uleb(label(atoms[0]!), out);
    } else if (op === 'br_table') {
      out.push(0x0e);
      uleb(atoms.length - 1, out);
      for (const a of atoms) uleb(label(a), out);
    } else if (op === 'i32.const' || op === 'i64.const') {
      out.push(op === 'i32.const' ? 0x41 : 0x42);
      const v = integer(atoms[0]!);
      sleb(op === 'i32.const' ? BigInt.asIntN(32, v) : BigInt.asIntN(64, v), out);
    } else if (op === 'f32.const' || op === 'f64.const') {
      const b = new DataView(new ArrayBuffer(8));
      if (op === 'f32.const') b.setFloat32(0, Number(atoms[0]), true);
      else b.setFloat64(0, Number(atoms[0]), true);
      out.push(op === 'f32.const' ? 0x43 : 0x44, ...new Uint8Array(b.buffer, 0, op === 'f32.const' ? 4 : 8));
    } else if (op === 'v128.const') {
      out.push(0xfd, 0x0c, ...v128Bytes(atoms[0]!, atoms.slice(1)));
    } else if (op in MEM || op in MEM_LANE) {
      const [code, align] = (MEM[op] ?? MEM_LANE[op])!;
      let offset = 0, a = align;
      const imm = atoms.filter((x) => {
        if (x.startsWith('offset=')) offset = Number(x.slice(7));
        else if (x.startsWith('align=')) a = Math.log2(Number(x.slice(6)));
        else return true;
        return false;
      });
      out.push(...code);
      uleb(a, out);
      uleb(offset, out);
      if (op in MEM_LANE) out.push(Number(imm[0]));
    } else if (op in LANE) {
      out.push(...LANE[op]!, Number(atoms[0]));
    } else if (op in OPS) {
      out.push(...OPS[op]!);
    } else {
      throw new SyntaxError(`wat: func ${f.name ?? '?'}: instruction ${op} is not supported by this assembler`);
    }
  };
  f.body.forEach(instr);
  out.push(0x0b);
}

function section(id: number, payload: number[], out: number[]): void {
  out.push(id);
  uleb(payload.length, out);
  for (const b of payload) out.push(b);
}

function name(s: string, out: number[]): void {
  const b = new TextEncoder().encode(s.replace(/^"|"$/g, ''));
  uleb(b.length, out);
  for (const x of b) out.push(x);
}

/** The binary of a module written in the subset described above. */
export function assembleWat(text: string): Uint8Array {
  const top = parse(text);
  const mod = top[0];
  if (top.length !== 1 || !Array.isArray(mod) || mod[0] !== 'module') throw new SyntaxError('wat: expected one (module ...)');
  let memory: { min: number; max: number | undefined; shared: boolean } | undefined;
  const funcs: Func[] = [];
  for (const field of mod.slice(1)) {
    if (!Array.isArray(field)) throw new SyntaxError(`wat: unexpected ${field} in module`);
    if (field[0] === 'import') {
      const m = field[3] as Sexp[];
      if (field[1] !== '"env"' || field[2] !== '"memory"' || !Array.isArray(m) || m[0] !== 'memory') {
        throw new SyntaxError('wat: the only import supported is (import "env" "memory" (memory min max? shared?))');
      }
      const shared = m[m.length - 1] === 'shared';
      const limits = shared ? m.slice(1, -1) : m.slice(1);
      if (shared && limits.length !== 2) throw new SyntaxError('wat: a shared memory needs a maximum: (memory min max shared)');
      memory = { min: Number(limits[0]), max: limits[1] === undefined ? undefined : Number(limits[1]), shared };
    } else if (field[0] === 'func') {
      const f: Func = { name: undefined, params: [], results: [], locals: [], body: [] };
      for (const x of field.slice(1)) {
        if (!Array.isArray(x)) {
          if ((x as string).startsWith('$')) continue;
          throw new SyntaxError(`wat: unexpected ${x} in func`);
        }
        const head = x[0];
        if (head === 'export') f.name = x[1] as string;
        else if (head === 'param' || head === 'local' || head === 'result') {
          const named = (x[1] as string).startsWith('$');
          const types = (named ? [x[2]] : x.slice(1)) as string[];
          for (const t of types) {
            if (!(t in TYPES)) throw new SyntaxError(`wat: unknown type ${t}`);
            if (head === 'result') f.results.push(TYPES[t]!);
            else (head === 'param' ? f.params : f.locals).push([named ? (x[1] as string) : undefined, TYPES[t]!]);
          }
        } else f.body.push(x);
      }
      funcs.push(f);
    } else throw new SyntaxError(`wat: module field ${String(field[0])} is not supported by this assembler`);
  }
  // Function types, in order of first use.
  const sigs: string[] = [];
  const typeOf = funcs.map((f) => {
    const sig = `${f.params.map((p) => p[1]).join(',')}:${f.results.join(',')}`;
    if (!sigs.includes(sig)) sigs.push(sig);
    return sigs.indexOf(sig);
  });
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  uleb(sigs.length, types);
  for (const sig of sigs) {
    const [ps, rs] = sig.split(':').map((s) => (s === '' ? [] : s.split(',').map(Number)));
    types.push(0x60);
    uleb(ps!.length, types);
    types.push(...ps!);
    uleb(rs!.length, types);
    types.push(...rs!);
  }
  section(1, types, out);
  if (memory) {
    const imp: number[] = [1];
    name('env', imp);
    name('memory', imp);
    imp.push(0x02, memory.shared ? 0x03 : memory.max === undefined ? 0x00 : 0x01);
    uleb(memory.min, imp);
    if (memory.max !== undefined) uleb(memory.max, imp);
    section(2, imp, out);
  }
  const fsec: number[] = [];
  uleb(funcs.length, fsec);
  typeOf.forEach((t) => uleb(t, fsec));
  section(3, fsec, out);
  const exported = funcs.map((f, i) => [f.name, i] as const).filter(([n]) => n !== undefined);
  if (exported.length > 0) {
    const ex: number[] = [];
    uleb(exported.length, ex);
    for (const [n, i] of exported) {
      name(n!, ex);
      ex.push(0x00);
      uleb(i, ex);
    }
    section(7, ex, out);
  }
  const code: number[] = [];
  uleb(funcs.length, code);
  for (const f of funcs) {
    const body: number[] = [];
    // Locals in runs of one type.
    const runs: Array<[number, number]> = [];
    for (const [, t] of f.locals) {
      if (runs.length > 0 && runs[runs.length - 1]![1] === t) runs[runs.length - 1]![0]++;
      else runs.push([1, t]);
    }
    uleb(runs.length, body);
    for (const [n, t] of runs) {
      uleb(n, body);
      body.push(t);
    }
    encodeBody(f, body);
    uleb(body.length, code);
    for (const b of body) code.push(b);
  }
  section(10, code, out);
  return Uint8Array.from(out);
}
