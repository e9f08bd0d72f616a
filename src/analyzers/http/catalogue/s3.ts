import type { HttpOperation } from "./types.js";

/**
 * Amazon S3, path-style (`s3.region.amazonaws.com/bucket/key`) and virtual-hosted
 * (`bucket.s3.region.amazonaws.com/key`). Deleting a bucket destroys data; deleting one object
 * is an ordinary write (reversible under versioning); bucket sub-resources (`?versioning`,
 * `?policy`…) come before the bucket itself, since first match wins.
 */

const S3_PATH_STYLE = [
  "s3.amazonaws.com",
  "s3.{region}.amazonaws.com",
  "s3-{region}.amazonaws.com",
  "s3.dualstack.{region}.amazonaws.com",
];
const S3_VIRTUAL = [
  "{bucket+}.s3.amazonaws.com",
  "{bucket+}.s3.{region}.amazonaws.com",
  "{bucket+}.s3-{region}.amazonaws.com",
  "{bucket+}.s3.dualstack.{region}.amazonaws.com",
];
const BUCKET_ARN = "arn:aws:s3:::{bucket}";
const S3_CONFIGURATION =
  "(?:^|&)(?:tagging|cors|lifecycle|policy|website|encryption|metrics|analytics|inventory|intelligent-tiering|ownershipControls)(?:[=&]|$)";
const PUBLIC_POLICY = '"Principal"\\s*:\\s*(?:"\\*"|\\{\\s*"AWS"\\s*:\\s*"\\*")';

export const S3_OPERATIONS: readonly HttpOperation[] = [
  ...s3Operations(S3_PATH_STYLE, "/{bucket}", "/{bucket}/{key+}"),
  ...s3Operations(S3_VIRTUAL, "/", "/{key+}"),
];

/** The same S3 operations for path-style and virtual-hosted addressing. */
function s3Operations(host: readonly string[], bucket: string, object: string): HttpOperation[] {
  return [
    {
      host,
      method: "DELETE",
      path: bucket,
      when: [{ from: "field", name: "publicAccessBlock" }],
      category: "security.weaken",
      reason: "S3 public access block removed: {bucket}",
      resource: BUCKET_ARN,
    },
    {
      host,
      method: "DELETE",
      path: bucket,
      when: [{ from: "field", name: "replication" }],
      category: "backup.destroy",
      reason: "S3 replication removed: {bucket}",
      resource: BUCKET_ARN,
    },
    // Other configuration sub-resources; any other query (`?x-id=DeleteBucket`) still deletes.
    {
      host,
      method: "DELETE",
      path: bucket,
      when: [{ from: "query", matches: S3_CONFIGURATION }],
      reason: "S3 bucket configuration delete",
    },
    {
      host,
      method: "DELETE",
      path: bucket,
      category: "data.destroy",
      reason: "S3 bucket delete: {bucket}",
      resource: BUCKET_ARN,
    },
    {
      host,
      method: "POST",
      path: bucket,
      when: [{ from: "field", name: "delete" }],
      category: "data.destroy",
      reason: "S3 multi-object delete in {bucket}",
      resource: BUCKET_ARN,
    },
    {
      host,
      method: "PUT",
      path: bucket,
      when: [
        { from: "field", name: "versioning" },
        { from: "body", matches: "<Status>\\s*Suspended" },
      ],
      category: "backup.destroy",
      reason: "S3 versioning suspended: {bucket}",
      resource: BUCKET_ARN,
    },
    {
      // Retention: a lifecycle rule that expires objects deletes them on a schedule.
      host,
      method: "PUT",
      path: bucket,
      when: [
        { from: "field", name: "lifecycle" },
        { from: "body", matches: "<(?:Noncurrent)?(?:Version)?Expiration>" },
      ],
      category: "backup.destroy",
      reason: "S3 lifecycle rule expires objects in {bucket}",
      resource: BUCKET_ARN,
    },
    {
      host,
      method: "PUT",
      path: bucket,
      when: [
        { from: "field", name: "policy" },
        { from: "body", matches: PUBLIC_POLICY },
      ],
      category: "security.weaken",
      reason: "S3 bucket policy opens {bucket} to everyone",
      resource: BUCKET_ARN,
    },
    {
      host,
      method: "PUT",
      path: bucket,
      when: [
        { from: "field", name: "acl" },
        { from: "header", name: "x-amz-acl", matches: "^public-" },
      ],
      category: "security.weaken",
      reason: "S3 bucket made public: {bucket}",
      resource: BUCKET_ARN,
    },
    {
      host,
      method: "PUT",
      path: bucket,
      when: [
        { from: "field", name: "publicAccessBlock" },
        { from: "body", matches: ">\\s*false\\s*<" },
      ],
      category: "security.weaken",
      reason: "S3 public access block relaxed: {bucket}",
      resource: BUCKET_ARN,
    },
    // One object: an ordinary write, reversible under versioning.
    { host, method: "DELETE", path: object, reason: "S3 object delete" },
  ];
}
