// `npm run openapi`: writes docs/openapi.json, the OpenAPI 3.1 document of every public route, from
// scripts/openapi/ (schemas, examples, paths). The worker serves the file at GET /openapi.json;
// test/scripts/openapi-postman.test.ts fails when the committed file is stale. Run `npm run postman`
// afterwards: the Postman collection is generated from this document.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPENAPI_FILE, renderOpenApi } from './openapi/document.js';

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(OPENAPI_FILE, renderOpenApi());
  console.log(`wrote ${path.relative(process.cwd(), OPENAPI_FILE)}`);
}
