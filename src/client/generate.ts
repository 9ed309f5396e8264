import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { openApiDocument } from '../server/index.js';

const HEADER = '// Generated from the OpenAPI document of the Segue API (GET /docs) by `npm run client:generate`. Do not edit.\n\n';

/** TypeScript types of the API (paths, components) from its OpenAPI document, with openapi-typescript. */
export async function clientTypes(): Promise<string> {
  const doc = await openApiDocument();
  const ast = await openapiTS(doc as unknown as Parameters<typeof openapiTS>[0]);
  return HEADER + astToString(ast);
}

/** Where the generated types live in the source tree. */
export const TYPES_FILE = fileURLToPath(new URL(import.meta.url.includes('/dist/src/') ? '../../../src/client/openapi.ts' : './openapi.ts', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(TYPES_FILE, await clientTypes());
  process.stdout.write(`wrote ${TYPES_FILE}\n`);
}
