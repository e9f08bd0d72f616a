import { describe } from "vitest";
import { check } from "../test-support/table.js";

describe("hosting", () => {
  check([
    {
      r: "DELETE https://api.digitalocean.com/v2/droplets/123",
      cats: ["infra.destroy"],
      resource: "digitalocean:droplets/123",
    },
    { r: "DELETE https://api.digitalocean.com/v2/volumes/abc", cats: ["data.destroy"] },
    { r: "DELETE https://api.digitalocean.com/v2/snapshots/9", cats: ["backup.destroy"] },
    {
      r: "POST https://api.digitalocean.com/v2/droplets/123/actions",
      body: { type: "disable_backups" },
      cats: ["backup.destroy"],
    },
    {
      r: "POST https://api.digitalocean.com/v2/droplets/123/actions",
      body: { type: "reboot" },
      cats: [],
    },
    { r: "DELETE https://api.hetzner.cloud/v1/servers/42", cats: ["infra.destroy"] },
    { r: "DELETE https://api.hetzner.cloud/v1/volumes/7", cats: ["data.destroy"] },
    { r: "DELETE https://api.machines.dev/v1/apps/web", cats: ["infra.destroy"] },
    { r: "DELETE https://api.render.com/v1/services/srv-1", cats: ["infra.destroy"] },
    { r: "POST https://api.render.com/v1/services/srv-1/deploys", body: {}, cats: ["deploy.prod"] },
    {
      r: "POST https://api.vercel.com/v13/deployments",
      body: { name: "web", target: "production" },
      cats: ["deploy.prod"],
      reason: "web",
    },
    { r: "POST https://api.vercel.com/v13/deployments", body: { name: "web" }, cats: [] },
    {
      r: "POST https://api.netlify.com/api/v1/sites/site1/deploys",
      body: { files: {} },
      cats: ["deploy.prod"],
    },
    {
      r: "POST https://api.netlify.com/api/v1/sites/site1/deploys",
      body: { files: {}, draft: true },
      cats: [],
    },
    {
      r: "DELETE https://api.heroku.com/apps/billing",
      cats: ["infra.destroy"],
      reason: "Heroku app delete: billing",
    },
    {
      r: "PATCH https://api.heroku.com/apps/billing/formation",
      body: { updates: [{ type: "web", quantity: 0 }] },
      cats: ["infra.destroy"],
    },
    {
      r: "PATCH https://api.heroku.com/apps/billing/formation/web",
      body: { quantity: 2 },
      cats: [],
    },
    {
      r: "PATCH https://api.cloudflare.com/client/v4/zones/z1/settings/ssl",
      body: { value: "off" },
      cats: ["security.weaken"],
    },
    {
      r: "DELETE https://api.supabase.com/v1/projects/abc",
      cats: ["data.destroy", "infra.destroy"],
    },
    {
      r: "POST https://backboard.railway.app/graphql/v2",
      body: { query: 'mutation { projectDelete(id: "p1") }' },
      cats: ["data.destroy", "infra.destroy"],
    },
    {
      r: "POST https://app.terraform.io/api/v2/runs",
      body: { data: { attributes: { "is-destroy": true } } },
      cats: ["infra.destroy"],
    },
  ]);
});
