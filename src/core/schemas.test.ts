import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PUBLISHED_SCHEMAS, renderSchema } from "./schemas.js";

describe("published JSON Schemas", () => {
  it.each(Object.entries(PUBLISHED_SCHEMAS))(
    "schema/%s is up to date (npm run schema)",
    (name, schema) => {
      const file = readFileSync(new URL(`../../schema/${name}`, import.meta.url), "utf8");
      expect(file).toBe(renderSchema(schema));
    },
  );
});
