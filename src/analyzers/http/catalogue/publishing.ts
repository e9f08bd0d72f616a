import type { HttpOperation } from "./types.js";

/** Package and image registries: a publish is a release to everyone who installs it. */

const NPM = ["registry.npmjs.org", "registry.yarnpkg.com", "npm.pkg.github.com"];
const IMAGES = [
  "registry-1.docker.io",
  "ghcr.io",
  "quay.io",
  "{region}-docker.pkg.dev",
  "{account}.dkr.ecr.{region}.amazonaws.com",
];

export const PUBLISHING_OPERATIONS: readonly HttpOperation[] = [
  // npm sends scoped names as one segment: `/@scope%2fname`.
  {
    host: NPM,
    method: "PUT",
    path: "/{package}",
    category: "deploy.prod",
    reason: "npm publish: {package}",
    resource: "npm:{package}",
  },
  {
    host: NPM,
    method: "PUT",
    path: "/@{scope}/{name}",
    category: "deploy.prod",
    reason: "npm publish: @{scope}/{name}",
    resource: "npm:@{scope}/{name}",
  },
  // Unpublish and deprecate rewrite the package document at its revision.
  {
    host: NPM,
    method: ["PUT", "DELETE"],
    path: "/{package+}/-rev/{rev}",
    category: "deploy.prod",
    reason: "npm unpublish or deprecate: {package}",
    resource: "npm:{package}",
  },
  {
    host: NPM,
    method: ["PUT", "DELETE"],
    path: "/-/package/{package+}/dist-tags/{tag}",
    category: "deploy.prod",
    reason: "npm dist-tag {tag}: {package}",
    resource: "npm:{package}",
  },
  {
    host: "upload.pypi.org",
    method: "POST",
    path: "/legacy",
    category: "deploy.prod",
    reason: "PyPI upload",
  },
  {
    host: "crates.io",
    method: "PUT",
    path: "/api/v1/crates/new",
    category: "deploy.prod",
    reason: "crates.io publish",
  },
  {
    host: "crates.io",
    method: ["DELETE", "PUT"],
    path: "/api/v1/crates/{crate}/{version}/{action}",
    when: [{ from: "param", name: "action", equals: ["yank", "unyank"] }],
    category: "deploy.prod",
    reason: "crates.io {action}: {crate} {version}",
  },
  {
    host: "rubygems.org",
    method: "POST",
    path: "/api/v1/gems",
    category: "deploy.prod",
    reason: "RubyGems push",
  },
  {
    host: "rubygems.org",
    method: "DELETE",
    path: "/api/v1/gems/yank",
    category: "deploy.prod",
    reason: "RubyGems yank: {gem_name}",
  },
  {
    host: IMAGES,
    method: "PUT",
    path: "/v2/{image+}/manifests/{tag}",
    category: "deploy.prod",
    reason: "container image push: {image}:{tag}",
    resource: "image:{image}:{tag}",
  },
];
