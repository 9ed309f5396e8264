/**
 * The Subsonic protocol as Segue speaks it: request parameters (query string and, for the
 * OpenSubsonic `formPost` extension, a form body), the response envelope in the three formats
 * a client may ask for (`f=xml`, the default; `f=json`; `f=jsonp` with `callback`), and the
 * error codes of the Subsonic 1.16.1 schema.
 *
 * XML follows the schema's mapping (subsonic-rest-api-1.16.1.xsd): a scalar field is an
 * attribute, an object is a child element, an array repeats its element, and an array of
 * scalars (OpenSubsonic's `versions`) repeats an element holding each value as text.
 */

/** The Subsonic REST API version Segue answers as. */
export const API_VERSION = '1.16.1';
/** `type` of the OpenSubsonic response envelope. */
export const SERVER_TYPE = 'segue';

/** Error codes of the Subsonic API (1.16.1) and of OpenSubsonic's apiKeyAuthentication. */
export const ErrorCode = {
  generic: 0, missingParameter: 10, wrongLogin: 40, notAuthorized: 50, invalidApiKey: 44, conflictingAuth: 43, notFound: 70,
} as const;

/** A Subsonic error answer: `{ status: "failed", error: { code, message } }` in the client's format. */
export class SubsonicError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'SubsonicError';
  }
}

export type Format = 'xml' | 'json' | 'jsonp';

/** The client's format (`f`), and the JSONP callback; an unknown `f` answers in XML, as Subsonic does. */
export function formatOf(params: URLSearchParams): { format: Format; callback?: string } {
  const f = params.get('f');
  if (f === 'json') return { format: 'json' };
  if (f === 'jsonp') {
    const cb = params.get('callback') ?? '';
    // Only a plain JavaScript name: the callback is echoed into a script.
    if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(cb)) throw new SubsonicError(ErrorCode.missingParameter, 'f=jsonp needs callback=<a JavaScript function name>');
    return { format: 'jsonp', callback: cb };
  }
  return { format: 'xml' };
}

/** A body for the envelope: field name to value (objects, arrays, strings, numbers, booleans). */
export type Payload = Record<string, unknown>;

/** The envelope's own fields, before the payload. */
export function envelope(status: 'ok' | 'failed', serverVersion: string): Payload {
  return { status, version: API_VERSION, type: SERVER_TYPE, serverVersion, openSubsonic: true };
}

/**
 * The encoded response: content type and text.
 *
 * @example
 *   encode({ format: 'json' }, { ...envelope('ok', '0.1.0'), similarSongs2: { song: [{ id: 't1', title: 'A' }] } })
 *   // { contentType: 'application/json; charset=utf-8', body: '{"subsonic-response":{"status":"ok",...}}' }
 */
export function encode(f: { format: Format; callback?: string }, response: Payload): { contentType: string; body: string } {
  if (f.format === 'xml') return { contentType: 'text/xml; charset=utf-8', body: `<?xml version="1.0" encoding="UTF-8"?>\n${xmlElement('subsonic-response', response, ' xmlns="http://subsonic.org/restapi"')}` };
  const json = JSON.stringify({ 'subsonic-response': response });
  if (f.format === 'jsonp') return { contentType: 'application/javascript; charset=utf-8', body: `${f.callback}(${json});` };
  return { contentType: 'application/json; charset=utf-8', body: json };
}

/** An error answer's payload. */
export function errorPayload(err: SubsonicError, serverVersion: string): Payload {
  return { ...envelope('failed', serverVersion), error: { code: err.code, message: err.message } };
}

function xmlElement(name: string, value: unknown, extra = ''): string {
  if (value === null || typeof value !== 'object') return `<${name}>${escapeXml(String(value as string | number | boolean | null))}</${name}>`;
  let attrs = extra;
  let children = '';
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const item of v) children += xmlElement(k, item);
    else if (typeof v === 'object') children += xmlElement(k, v);
    else attrs += ` ${k}="${escapeXml(String(v as string | number | boolean))}"`;
  }
  return children === '' ? `<${name}${attrs}/>` : `<${name}${attrs}>${children}</${name}>`;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function escapeXml(s: string): string {
  // Characters XML 1.0 cannot hold at all are dropped (a tag may carry any byte).
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '').replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

/** The API method of a request path: `/rest/getSimilarSongs2.view` → `getSimilarSongs2`; undefined outside /rest/. */
export function methodOf(pathname: string): string | undefined {
  const m = /^\/rest\/([A-Za-z0-9]+)(?:\.view)?$/.exec(pathname);
  return m?.[1];
}

/** A required parameter, or error 10 naming it. */
export function required(params: URLSearchParams, name: string): string {
  const v = params.get(name);
  if (v === null || v === '') throw new SubsonicError(ErrorCode.missingParameter, `required parameter is missing: ${name}`);
  return v;
}

/** An optional whole-number parameter in [min, max], or error 0 naming it and its range. */
export function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const v = params.get(name);
  if (v === null || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new SubsonicError(ErrorCode.generic, `${name} must be a whole number in ${min}..${max}, got ${JSON.stringify(v)}`);
  return n;
}
