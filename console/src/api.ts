import { SegueApiError, SegueClient } from '../../src/client/index.js';

export { SegueApiError, SegueClient };

/** The key lives in this tab's sessionStorage only: closing the tab logs out, nothing is written to disk by the console. */
const KEY = 'segue.console.key';

export const savedKey = (): string | null => sessionStorage.getItem(KEY);
export const saveKey = (key: string): void => sessionStorage.setItem(KEY, key);
export const forgetKey = (): void => sessionStorage.removeItem(KEY);

/** A client of this origin's API with the given key: the console reaches the server only through the public HTTP API. */
export const connect = (apiKey: string): SegueClient => new SegueClient({ baseUrl: location.origin, apiKey });

/** An API error (or a failed connection) in words for the page: never raw JSON. */
export function describe(err: unknown): string {
  if (err instanceof SegueApiError) {
    const msg = err.message.replace(/^\d+ \w+: /, '');
    switch (err.status) {
      case 401: return `The API key was not accepted: ${msg}.`;
      case 403: return `This key may not do that: ${msg}.`;
      case 404: return `Not found: ${msg}.`;
      case 409: return `Conflict: ${msg}.`;
      case 429: return `Too many requests: ${msg}.`;
      case 503: return `The server cannot answer now: ${msg}.`;
      default: return err.status >= 500 ? `The server failed (${err.status})${err.requestId ? `; its log has the details under request ${err.requestId}` : ''}.` : `The request was refused: ${msg}${err.field ? ` (field ${err.field})` : ''}.`;
    }
  }
  if (err instanceof TypeError) return 'The Segue server cannot be reached (is `segue serve` running?).';
  return err instanceof Error ? err.message : String(err);
}
