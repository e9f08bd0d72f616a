import { describe, expect, it } from "vitest";
import { run } from "../test-support/run.js";
import { check } from "../test-support/table.js";

describe("S3", () => {
  for (const [style, base, bucketPath] of [
    ["path style", "https://s3.us-east-1.amazonaws.com/prod-data", ""],
    ["virtual hosted", "https://prod-data.s3.us-east-1.amazonaws.com", "/"],
    ["legacy region host", "https://s3-eu-west-1.amazonaws.com/prod-data", ""],
  ] as const) {
    describe(style, () => {
      const bucket = `${base}${bucketPath}`;
      check([
        {
          r: `DELETE ${bucket}`,
          cats: ["data.destroy"],
          reason: "S3 bucket delete: prod-data",
          resource: "arn:aws:s3:::prod-data",
        },
        { r: `DELETE ${bucket}?x-id=DeleteBucket`, cats: ["data.destroy"] },
        { r: `DELETE ${bucket}?tagging`, cats: [] },
        { r: `DELETE ${bucket}?publicAccessBlock`, cats: ["security.weaken"] },
        { r: `DELETE ${base}/reports/2024.csv`, cats: [] },
        {
          r: `POST ${bucket}?delete`,
          body: "<Delete><Object><Key>a</Key></Object></Delete>",
          cats: ["data.destroy"],
        },
        {
          r: `PUT ${bucket}?versioning`,
          body: "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>",
          cats: ["backup.destroy"],
        },
        {
          r: `PUT ${bucket}?versioning`,
          body: "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
          cats: [],
        },
        {
          r: `PUT ${bucket}?policy`,
          body: '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}]}',
          cats: ["security.weaken"],
        },
        {
          r: `PUT ${bucket}?lifecycle`,
          body: "<LifecycleConfiguration><Rule><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>",
          cats: ["backup.destroy"],
        },
        {
          r: `PUT ${bucket}?lifecycle`,
          body: "<LifecycleConfiguration><Rule><Transition><Days>30</Days></Transition></Rule></LifecycleConfiguration>",
          cats: [],
        },
        {
          r: `PUT ${base}/reports/2024.csv`,
          body: "a,b\n1,2",
          headers: { "content-type": "text/csv" },
          cats: [],
        },
        { r: `GET ${base}/reports/2024.csv`, cats: [] },
      ]);
    });
  }
  it("flags a single-object delete as a delete, not a red line", () => {
    const facts = run("DELETE https://prod-data.s3.amazonaws.com/tmp/x.json");
    expect(facts.categories).toEqual([]);
    expect(facts.flags).toContain("delete");
  });
});
