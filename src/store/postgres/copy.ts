import type pg from 'pg';

/** COPY data goes to the server in messages of about this many bytes. */
const CHUNK_BYTES = 256 * 1024;
/** A CopyData message's header: its type ('d') and length. */
const FRAME = 5;
const COPY_DONE = Buffer.from([0x63, 0, 0, 0, 4]);

/** COPY's binary format: its header (signature, flags, no extension) and trailer (https://www.postgresql.org/docs/current/sql-copy.html, "Binary Format"). */
const BINARY_HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
const BINARY_TRAILER = Buffer.from([0xff, 0xff]);
const TWO_32 = 2 ** 32;

/**
 * The data of a binary COPY being made, a CopyData message at a time: rows (`row`, then
 * one call per field, in column order). Unlike COPY's text format, the binary format needs
 * no escaping and no numbers written out as digits, for JS or for the server.
 */
export class CopyData {
  private buf = Buffer.allocUnsafe(CHUNK_BYTES + 4096);
  private view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  pos = FRAME;

  /** The data so far as one CopyData message (undefined when none); the next data goes into a new buffer. */
  take(): Buffer | undefined {
    if (this.pos === FRAME) return undefined;
    this.buf[0] = 0x64;
    this.view.setUint32(1, this.pos - 1);
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(CHUNK_BYTES + 4096);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.pos = FRAME;
    return out;
  }

  /** Raw bytes (a binary header or trailer). */
  bytes(b: Buffer): void {
    this.room(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }

  /** A binary row's start: its number of fields. */
  row(fields: number): void {
    this.room(2);
    this.view.setInt16(this.pos, fields);
    this.pos += 2;
  }

  null(): void {
    this.room(4);
    this.view.setInt32(this.pos, -1);
    this.pos += 4;
  }

  /** bigint; undefined and null as NULL. */
  int8(n: number | null | undefined): void {
    if (n === undefined || n === null) return this.null();
    if (!Number.isSafeInteger(n)) throw new RangeError(`${n} is not an integer a bigint column can take exactly`);
    this.room(12);
    const hi = Math.floor(n / TWO_32);
    this.view.setInt32(this.pos, 8);
    this.view.setInt32(this.pos + 4, hi);
    this.view.setUint32(this.pos + 8, n - hi * TWO_32);
    this.pos += 12;
  }

  /** integer; undefined and null as NULL. */
  int4(n: number | null | undefined): void {
    if (n === undefined || n === null) return this.null();
    if (!Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) throw new RangeError(`${n} is not an integer an integer column can take`);
    this.room(8);
    this.view.setInt32(this.pos, 4);
    this.view.setInt32(this.pos + 4, n);
    this.pos += 8;
  }

  /** double precision; undefined and null as NULL. */
  float8(n: number | null | undefined): void {
    if (n === undefined || n === null) return this.null();
    this.room(12);
    this.view.setInt32(this.pos, 8);
    this.view.setFloat64(this.pos + 4, n);
    this.pos += 12;
  }

  /** smallint (flags and codes: small integers the store makes itself). */
  int2(n: number): void {
    this.room(6);
    this.view.setInt32(this.pos, 2);
    this.view.setInt16(this.pos + 4, n);
    this.pos += 6;
  }

  /** A boolean as the smallint 0/1 the schema keeps; undefined as NULL. */
  flag(b: boolean | undefined): void {
    if (b === undefined) return this.null();
    this.int2(b ? 1 : 0);
  }

  /** text, as UTF-8; undefined and null as NULL. */
  text(s: string | null | undefined): void {
    if (s === undefined || s === null) return this.null();
    const n = s.length;
    this.room(4 + 3 * n);
    const buf = this.buf;
    let p = this.pos + 4;
    // ASCII byte by byte (ids and codes, nearly every value): cheaper than a call to encode for short strings.
    let j = 0;
    for (; j < n; j++) {
      const ch = s.charCodeAt(j);
      if (ch >= 0x80) break;
      buf[p++] = ch;
    }
    if (j < n) p = this.pos + 4 + buf.write(s, this.pos + 4);
    this.view.setInt32(this.pos, p - this.pos - 4);
    this.pos = p;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const b = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.pos + n));
    this.buf.copy(b, 0, 0, this.pos);
    this.buf = b;
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
}

/** One COPY ... FROM STDIN (FORMAT binary) of `copyIn`: `count` rows, row `i` written by `put(data, i)` (which may write nothing, to leave the row out). */
export interface CopyPart {
  /** The table and its columns, as COPY names them. */
  target: string;
  count: number;
  put: (data: CopyData, i: number) => void;
}

/**
 * Run these COPYs, in order, and then the statement `then` (without parameters) if given,
 * in one round trip: one query of COPY ... FROM STDIN statements (and `then`), with all
 * their data sent straight after it, not waiting for the server to
 * ask for each. The server reads one COPY's data while JS makes the next, and it ignores
 * data of a COPY the query never reached (after an error), as the protocol provides.
 * Resolves with each COPY's row count once the server has taken every row; rejects with
 * the server's error, or with `put`'s (the COPY is then failed: CopyFail). Either way of
 * failing aborts the transaction.
 */
export function copyIn(c: pg.PoolClient, parts: CopyPart[], then?: string): Promise<number[]> {
  return new Promise<number[]>((resolve, reject) => {
    const sql = [...parts.map((p) => `COPY ${p.target} FROM STDIN (FORMAT binary)`), ...(then === undefined ? [] : [then])].join('; ');
    const counts: number[] = [];
    let failure: Error | undefined;
    const query = {
      submit(connection: { query(text: string): void; stream: { write(b: Buffer): boolean } }): void {
        connection.query(sql);
        const out = connection.stream;
        for (const part of parts) {
          const data = new CopyData();
          try {
            data.bytes(BINARY_HEADER);
            for (let i = 0; i < part.count; i++) {
              part.put(data, i);
              if (data.pos >= CHUNK_BYTES) out.write(data.take()!);
            }
            data.bytes(BINARY_TRAILER);
            const last = data.take();
            if (last !== undefined) out.write(last);
            out.write(COPY_DONE);
          } catch (err) {
            // A row that cannot be written (a value its column cannot take): fail this COPY; the server ends the query.
            failure = new Error(`COPY into ${part.target.split(' ')[0]}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
            const msg = Buffer.from(`segue: ${failure.message}\0`);
            const fail = Buffer.allocUnsafe(5);
            fail[0] = 0x66;
            fail.writeUInt32BE(msg.length + 4, 1);
            out.write(Buffer.concat([fail, msg]));
            return;
          }
        }
      },
      handleCommandComplete(msg: { text: string }): void {
        if (msg.text.startsWith('COPY ')) counts.push(Number(msg.text.slice(5)));
      },
      handleReadyForQuery(): void {
        resolve(counts);
      },
      handleError(err: Error): void {
        reject(failure ?? err);
      },
      handleCopyInResponse(): void {},
      handleRowDescription(): void {},
      handleDataRow(): void {},
      handleEmptyQuery(): void {},
      handleCopyData(): void {},
      handlePortalSuspended(): void {},
    };
    c.query(query as unknown as pg.Submittable);
  });
}
