/** An import that cannot run at all (missing file, unknown format, bad option): one clear sentence. */
export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}
