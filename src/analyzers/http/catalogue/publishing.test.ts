import { describe } from "vitest";
import { check } from "../test-support/table.js";

describe("publishing and monitoring", () => {
  check([
    {
      r: "PUT https://registry.npmjs.org/left-pad",
      body: { name: "left-pad" },
      cats: ["deploy.prod"],
      resource: "npm:left-pad",
    },
    {
      r: "PUT https://registry.npmjs.org/@acme%2fui",
      body: { name: "@acme/ui" },
      cats: ["deploy.prod"],
      resource: "npm:@acme/ui",
    },
    { r: "GET https://registry.npmjs.org/left-pad", cats: [] },
    {
      r: "PUT https://registry.npmjs.org/-/package/left-pad/dist-tags/latest",
      body: "1.0.1",
      cats: ["deploy.prod"],
    },
    {
      r: "POST https://upload.pypi.org/legacy/",
      body: "x",
      headers: { "content-type": "text/plain" },
      cats: ["deploy.prod"],
    },
    {
      r: "PUT https://ghcr.io/v2/acme/web/manifests/latest",
      body: "{}",
      cats: ["deploy.prod"],
      reason: "acme/web:latest",
    },
    { r: "GET https://ghcr.io/v2/acme/web/manifests/latest", cats: [] },
    { r: "DELETE https://api.datadoghq.com/api/v1/monitor/123", cats: ["audit.tamper"] },
    {
      r: "POST https://api.datadoghq.eu/api/v1/monitor/123/mute",
      body: {},
      cats: ["audit.tamper"],
    },
    { r: "POST https://api.pagerduty.com/maintenance_windows", body: {}, cats: ["audit.tamper"] },
  ]);
});
