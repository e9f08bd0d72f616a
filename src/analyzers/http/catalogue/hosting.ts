import type { GraphqlOperation, HttpOperation } from "./types.js";

/** Hosting and data platforms: servers, volumes, databases, projects; deploys to production. */

const DO = "api.digitalocean.com";
const HETZNER = "api.hetzner.cloud";
const FLY = "api.machines.dev";
const RENDER = "api.render.com";
const VERCEL = "api.vercel.com";
const NETLIFY = "api.netlify.com";
const HEROKU = "api.heroku.com";

export const HOSTING_OPERATIONS: readonly HttpOperation[] = [
  // DigitalOcean
  {
    host: DO,
    method: "DELETE",
    path: "/v2/droplets/{id}",
    category: "infra.destroy",
    reason: "DigitalOcean droplet delete: {id}",
    resource: "digitalocean:droplets/{id}",
  },
  {
    host: DO,
    method: "DELETE",
    path: "/v2/droplets",
    category: "infra.destroy",
    reason: "DigitalOcean droplet delete by tag: {tag_name}",
  },
  {
    host: DO,
    method: "DELETE",
    path: "/v2/volumes/{id}",
    category: "data.destroy",
    reason: "DigitalOcean volume delete: {id}",
    resource: "digitalocean:volumes/{id}",
  },
  {
    host: DO,
    method: "DELETE",
    path: "/v2/databases/{id}",
    category: "data.destroy",
    reason: "DigitalOcean database cluster delete: {id}",
    resource: "digitalocean:databases/{id}",
  },
  {
    host: DO,
    method: "DELETE",
    path: "/v2/kubernetes/clusters/{id}",
    category: "infra.destroy",
    reason: "DigitalOcean Kubernetes cluster delete: {id}",
  },
  {
    host: DO,
    method: "DELETE",
    path: "/v2/snapshots/{id}",
    category: "backup.destroy",
    reason: "DigitalOcean snapshot delete: {id}",
  },
  {
    host: DO,
    method: "DELETE",
    path: "/v2/apps/{id}",
    category: "infra.destroy",
    reason: "DigitalOcean app delete: {id}",
  },
  {
    host: DO,
    method: "POST",
    path: "/v2/droplets/{id}/actions",
    when: [{ from: "field", name: "type", equals: ["disable_backups"] }],
    category: "backup.destroy",
    reason: "DigitalOcean droplet backups disabled: {id}",
  },
  {
    host: DO,
    method: "POST",
    path: "/v2/droplets/{id}/actions",
    when: [{ from: "field", name: "type", equals: ["rebuild", "restore"] }],
    category: "data.destroy",
    reason: "DigitalOcean droplet {type}, its disk is replaced: {id}",
  },

  // Hetzner Cloud
  {
    host: HETZNER,
    method: "DELETE",
    path: "/v1/servers/{id}",
    category: "infra.destroy",
    reason: "Hetzner server delete: {id}",
    resource: "hetzner:servers/{id}",
  },
  {
    host: HETZNER,
    method: "DELETE",
    path: "/v1/volumes/{id}",
    category: "data.destroy",
    reason: "Hetzner volume delete: {id}",
    resource: "hetzner:volumes/{id}",
  },
  {
    host: HETZNER,
    method: "DELETE",
    path: "/v1/images/{id}",
    category: "backup.destroy",
    reason: "Hetzner image or snapshot delete: {id}",
  },
  {
    host: HETZNER,
    method: "DELETE",
    path: "/v1/firewalls/{id}",
    category: "security.weaken",
    reason: "Hetzner firewall delete: {id}",
  },
  {
    host: HETZNER,
    method: "POST",
    path: "/v1/servers/{id}/actions/disable_backup",
    category: "backup.destroy",
    reason: "Hetzner server backups disabled: {id}",
  },
  {
    host: HETZNER,
    method: "POST",
    path: "/v1/servers/{id}/actions/rebuild",
    category: "data.destroy",
    reason: "Hetzner server rebuild, its disk is wiped: {id}",
  },

  // Fly.io Machines
  {
    host: FLY,
    method: "DELETE",
    path: "/v1/apps/{app}",
    category: "infra.destroy",
    reason: "Fly app delete: {app}",
    resource: "fly:apps/{app}",
  },
  {
    host: FLY,
    method: "DELETE",
    path: "/v1/apps/{app}/machines/{id}",
    category: "infra.destroy",
    reason: "Fly machine delete: {app}/{id}",
  },
  {
    host: FLY,
    method: "DELETE",
    path: "/v1/apps/{app}/volumes/{id}",
    category: "data.destroy",
    reason: "Fly volume delete: {app}/{id}",
  },

  // Render
  {
    host: RENDER,
    method: "DELETE",
    path: "/v1/services/{id}",
    category: "infra.destroy",
    reason: "Render service delete: {id}",
  },
  {
    host: RENDER,
    method: "DELETE",
    path: "/v1/{kind}/{id}",
    when: [{ from: "param", name: "kind", equals: ["postgres", "redis", "key-value", "disks"] }],
    category: "data.destroy",
    reason: "Render {kind} delete: {id}",
  },
  {
    host: RENDER,
    method: "POST",
    path: "/v1/services/{id}/deploys",
    category: "deploy.prod",
    reason: "Render deploy: {id}",
  },
  {
    host: RENDER,
    method: "POST",
    path: "/v1/services/{id}/rollback",
    category: "deploy.prod",
    reason: "Render rollback: {id}",
  },

  // Vercel
  {
    host: VERCEL,
    method: "POST",
    path: "/{version}/deployments",
    when: [{ from: "field", name: "target", equals: ["production"] }],
    category: "deploy.prod",
    reason: "Vercel production deployment: {name}",
  },
  {
    host: VERCEL,
    method: "POST",
    path: "/{version}/projects/{project}/{action}/{deployment}",
    when: [{ from: "param", name: "action", equals: ["promote", "rollback"] }],
    category: "deploy.prod",
    reason: "Vercel {action} to production: {project}",
  },
  {
    host: VERCEL,
    method: "DELETE",
    path: "/{version}/projects/{project}",
    category: "infra.destroy",
    reason: "Vercel project delete: {project}",
  },

  // Netlify: a deploy is published unless it is a draft.
  {
    host: NETLIFY,
    method: "POST",
    path: "/api/v1/sites/{site}/deploys",
    when: [{ from: "field", name: "draft", equals: [true], not: true }],
    category: "deploy.prod",
    reason: "Netlify production deploy: {site}",
  },
  {
    host: NETLIFY,
    method: "POST",
    path: "/api/v1/sites/{site}/builds",
    category: "deploy.prod",
    reason: "Netlify build and deploy: {site}",
  },
  {
    host: NETLIFY,
    method: "POST",
    path: "/api/v1/{scope+}/deploys/{deploy}/restore",
    category: "deploy.prod",
    reason: "Netlify deploy restored to production",
  },
  {
    host: NETLIFY,
    method: "POST",
    path: "/api/v1/deploys/{deploy}/restore",
    category: "deploy.prod",
    reason: "Netlify deploy restored to production",
  },
  {
    host: NETLIFY,
    method: "DELETE",
    path: "/api/v1/sites/{site}",
    category: "infra.destroy",
    reason: "Netlify site delete: {site}",
  },

  // Heroku
  {
    host: HEROKU,
    method: "DELETE",
    path: "/apps/{app}",
    category: "infra.destroy",
    reason: "Heroku app delete: {app}",
    resource: "heroku:apps/{app}",
  },
  {
    host: HEROKU,
    method: "DELETE",
    path: "/apps/{app}/addons/{addon}",
    category: "data.destroy",
    reason: "Heroku add-on delete: {app}/{addon}",
  },
  {
    host: HEROKU,
    method: "POST",
    path: "/apps/{app}/{kind}",
    when: [{ from: "param", name: "kind", equals: ["builds", "releases"] }],
    category: "deploy.prod",
    reason: "Heroku {kind} for {app}",
  },
  {
    host: HEROKU,
    method: "PATCH",
    path: "/apps/{app}/formation/{type}",
    when: [{ from: "field", name: "quantity", equals: [0] }],
    category: "infra.destroy",
    reason: "Heroku dynos scaled to zero: {app}",
  },
  {
    host: HEROKU,
    method: "PATCH",
    path: "/apps/{app}/formation",
    when: [{ from: "field", name: "updates.quantity", equals: [0] }],
    category: "infra.destroy",
    reason: "Heroku dynos scaled to zero: {app}",
  },
];

const RAILWAY = ["backboard.railway.app", "backboard.railway.com"];

export const HOSTING_GRAPHQL_OPERATIONS: readonly GraphqlOperation[] = [
  {
    host: "api.fly.io",
    mutation: "deleteApp",
    category: "infra.destroy",
    reason: "Fly app delete: {input.appId}",
  },
  {
    host: "api.fly.io",
    mutation: "deleteVolume",
    category: "data.destroy",
    reason: "Fly volume delete",
  },
  {
    host: RAILWAY,
    path: "/graphql/v2",
    mutation: "projectDelete",
    category: ["infra.destroy", "data.destroy"],
    reason: "Railway project delete",
  },
  {
    host: RAILWAY,
    path: "/graphql/v2",
    mutation: "serviceDelete",
    category: "infra.destroy",
    reason: "Railway service delete",
  },
  {
    host: RAILWAY,
    path: "/graphql/v2",
    mutation: "environmentDelete",
    category: "infra.destroy",
    reason: "Railway environment delete",
  },
  {
    host: RAILWAY,
    path: "/graphql/v2",
    mutation: "volumeDelete",
    category: "data.destroy",
    reason: "Railway volume delete",
  },
];
