import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { SegueClient } from './api.js';

export interface Session {
  client: SegueClient;
  /** The key's name and scopes: pages that change things need admin. */
  keyName: string;
  scopes: string[];
  admin: boolean;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('no session');
  return s;
}

/** The playground's current partial policy per surface, shared with the trade-offs page (this tab only). */
export const currentPolicy = new Map<string, Record<string, unknown>>();
