/**
 * Where to load a worker thread's entry module from, synchronously. From compiled code
 * (dist/) it is the `.js` file beside the caller. From TypeScript sources (vitest) there is
 * none: the entry and the modules it imports relatively are transpiled once per process
 * (types stripped with the project's `typescript` dev dependency) into a temp folder named
 * by their hash, so that tests run the same parallel code as production. A worker entry may
 * import only modules of its own folder.
 *
 * @example new Worker(workerEntry(import.meta.url, 'hist-worker'))
 */
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const transpiled = new Map<string, URL>();

export function workerEntry(callerUrl: string, name: string): URL {
  if (!callerUrl.endsWith('.ts')) return new URL(`./${name}.js`, callerUrl);
  const srcDir = dirname(fileURLToPath(callerUrl));
  const key = join(srcDir, name);
  const known = transpiled.get(key);
  if (known) return known;
  const ts = createRequire(callerUrl)('typescript') as typeof import('typescript');
  // The entry and everything it imports from its own folder.
  const files = new Map<string, string>();
  const todo = [`${name}.ts`];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (files.has(file)) continue;
    const src = readFileSync(join(srcDir, file), 'utf8');
    const out = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    files.set(file, out);
    if (/from '\.\.\//.test(out)) throw new Error(`worker ${name}: ${file} imports from outside its folder, which a worker entry may not`);
    for (const m of out.matchAll(/from '\.\/([\w-]+)\.js'/g)) todo.push(`${m[1]}.ts`);
  }
  const hash = createHash('sha1');
  for (const [f, out] of [...files].sort()) hash.update(f).update(out);
  const outDir = join(tmpdir(), `segue-worker-${name}-${hash.digest('hex').slice(0, 16)}`);
  mkdirSync(outDir, { recursive: true });
  for (const [f, out] of files) {
    const dest = join(outDir, f.replace(/\.ts$/, '.js'));
    if (existsSync(dest)) continue;
    // Written under a temporary name and renamed, so that parallel test processes agree.
    const tmp = `${dest}.${process.pid}.tmp`;
    writeFileSync(tmp, out);
    renameSync(tmp, dest);
  }
  const url = pathToFileURL(join(outDir, `${name}.js`));
  transpiled.set(key, url);
  return url;
}
