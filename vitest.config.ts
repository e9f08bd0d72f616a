import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Many tests run the built CLI or real MCP servers as child processes; on a loaded 2-core
    // machine a few seconds of start-up is normal, not a failure.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
