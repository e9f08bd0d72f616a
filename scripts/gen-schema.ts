// Regenerates schema/*.json from the TypeScript definitions: `npm run schema`.
import { writeFileSync } from "node:fs";
import { PUBLISHED_SCHEMAS, renderSchema } from "../src/core/schemas.js";

for (const [name, schema] of Object.entries(PUBLISHED_SCHEMAS)) {
  writeFileSync(new URL(`../schema/${name}`, import.meta.url), renderSchema(schema));
  console.log(`wrote schema/${name}`);
}
