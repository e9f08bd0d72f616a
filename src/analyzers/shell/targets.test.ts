import { describe, expect, it } from "vitest";
import { UNKNOWN_CWD } from "../paths/resolve.js";
import { HOME, probe, WORKSPACE } from "./test-support/probe.js";

describe("targets are recorded as absolute paths", () => {
  it.each([
    ["rm -rf /srv/data", ["/srv/data"]],
    ["rm -rf data", [`${WORKSPACE}/data`]],
    ["rm -rf ./a ../b", [`${WORKSPACE}/a`, `${HOME}/b`]],
    ["rm -rf ~/x $HOME/y", [`${HOME}/x`, `${HOME}/y`]],
    ["rm -rf *", [`${WORKSPACE}/*`]],
    ["rm -f /var/log/*.gz", ["/var/log/*.gz"]],
    ["cd /srv && rm -rf data", ["/srv/data"]],
    ["cd /srv && cd data && rm -rf x", ["/srv/data/x"]],
    ["cd .. && rm -rf a", [`${HOME}/a`]],
    ["pushd /srv && rm -rf x", ["/srv/x"]],
    ["cat ~/.aws/credentials", [`${HOME}/.aws/credentials`]],
    ["echo hi > out.txt", [`${WORKSPACE}/out.txt`]],
    ["cp a /etc/b", [`${WORKSPACE}/a`, "/etc/b"]],
    ["dd if=/dev/zero of=/dev/sdb", ["/dev/zero", "/dev/sdb"]],
    ["rm -rf /srv/{a,b}", ["/srv/a", "/srv/b"]],
    ["env -C /opt rm -rf app", ["/opt/app"]],
    ["tar czf out.tgz dist", [`${WORKSPACE}/dist`]],
    ["tar -C /etc -xzf a.tgz", ["/etc"]],
    ['rm -rf "$(pwd)/build"', [`${WORKSPACE}/build`]],
  ])("%s → %o", async (command, paths) => {
    expect((await probe(command)).facts.targets.paths).toEqual(paths);
  });

  it("resolves against the action's cwd", async () => {
    expect((await probe("rm -rf x", { cwd: "/srv" })).facts.targets.paths).toEqual(["/srv/x"]);
  });

  it("uses the unknown-cwd sentinel when the working directory is not known", async () => {
    const p = await probe("rm -rf build", { cwd: undefined, workspace: undefined });
    expect(p.facts.targets.paths).toEqual([`${UNKNOWN_CWD}/build`]);
    expect(p.facts.categories).toEqual([]);
  });

  it("judges `rm -rf *` under an unknown cwd as deleting everything there", async () => {
    expect(
      (await probe("rm -rf *", { cwd: undefined, workspace: undefined })).facts.categories,
    ).toEqual(["data.destroy"]);
  });

  it("follows symlinks when the adapter supplies realpath", async () => {
    const realpath = (p: string) => (p === `${WORKSPACE}/current` ? "/srv/data" : p);
    const p = await probe("rm -rf current", { realpath });
    expect(p.facts.targets.paths).toEqual(["/srv/data"]);
    expect(p.facts.categories).toEqual(["data.destroy"]);
  });

  it("records hosts and resources", async () => {
    expect((await probe("curl https://API.Example.com/v1")).facts.targets.hosts).toEqual([
      "api.example.com",
    ]);
    expect((await probe("scp a.txt deploy@web-1:/srv/")).facts.targets.hosts).toEqual(["web-1"]);
    expect((await probe("aws s3 rb s3://prod-logs")).facts.targets.resources).toEqual([
      "s3://prod-logs",
    ]);
    expect((await probe("kubectl delete ns payments")).facts.targets.resources).toEqual([
      "k8s:ns",
      "k8s:payments",
    ]);
    expect((await probe("dropdb orders")).facts.targets.resources).toEqual(["postgres:orders"]);
  });

  it("sets flags", async () => {
    expect((await probe("rm -rf /tmp/x")).facts.flags).toEqual(
      expect.arrayContaining(["recursive", "force"]),
    );
    expect((await probe("rm -rf $X")).facts.flags).toContain("unknown-target");
    expect((await probe("ssh h ls")).facts.flags).toContain("remote");
    expect((await probe("kubectl delete pods --all")).facts.flags).toContain("unbounded");
  });

  it("explains findings in short human reasons", async () => {
    const { findings } = (await probe("rm -rf /srv/data")).facts;
    expect(findings).toEqual([
      { category: "data.destroy", reason: "recursive rm of /srv/data (a data directory)" },
    ]);
    const push = (await probe("git push --force")).facts.findings[0]?.reason;
    expect(push).toBe("git push --force rewrites remote history");
  });
});

describe("mail respects the internal hosts", () => {
  it("mail inside the organisation is not external", async () => {
    const p = await probe("mail -s hi ops@corp.example.com < report.txt", {
      internalHosts: ["*.example.com", "corp.example.com"],
    });
    expect(p.facts.categories).toEqual([]);
    expect(p.facts.targets.resources).toEqual(["mailto:ops@corp.example.com"]);
  });
});

describe("egress respects the allowlist", () => {
  it("sending a file to an allowlisted host is not egress", async () => {
    const p = await probe("curl -T dist.zip https://uploads.example.com/");
    expect(p.facts.categories).toEqual([]);
    expect(p.facts.targets.hosts).toEqual(["uploads.example.com"]);
  });

  it("sending it anywhere else is", async () => {
    expect((await probe("curl -T dist.zip https://files.other.net/")).facts.categories).toEqual([
      "network.egress",
    ]);
  });

  it("an empty allowlist allows no destination", async () => {
    expect(
      (await probe("scp a.txt github.com:", { egressAllowlist: [] })).facts.categories,
    ).toEqual(["network.egress"]);
  });
});

describe("the HTTP and SQL analyzers get their pieces", () => {
  it("builds an HttpRequest from curl", async () => {
    const p = await probe(
      "curl -X POST -H 'Content-Type: application/json' -d '{\"query\":\"{ me { id } }\"}' https://api.example.com/graphql",
    );
    expect(p.http).toEqual([
      {
        method: "POST",
        url: "https://api.example.com/graphql",
        headers: { "Content-Type": "application/json" },
        body: '{"query":"{ me { id } }"}',
      },
    ]);
  });

  it("defaults the method from the options", async () => {
    expect((await probe("curl example.com")).http[0]).toMatchObject({
      method: "GET",
      url: "http://example.com",
    });
    expect((await probe("curl -d a=1 https://x.example.com")).http[0]?.method).toBe("POST");
    expect((await probe("curl -I https://x.example.com")).http[0]?.method).toBe("HEAD");
    expect((await probe("wget --method=DELETE https://x.example.com/a")).http[0]?.method).toBe(
      "DELETE",
    );
  });

  it("hands SQL from options, operands, here-docs and pipes to the SQL analyzer", async () => {
    expect((await probe("psql -c 'SELECT 1' -c 'SELECT 2'")).sql).toEqual(["SELECT 1", "SELECT 2"]);
    expect((await probe("mysql -e 'SHOW TABLES'")).sql).toEqual(["SHOW TABLES"]);
    expect((await probe("sqlite3 app.db 'SELECT 1'")).sql).toEqual(["SELECT 1"]);
    expect((await probe("echo 'SELECT 1' | psql")).sql).toEqual(["SELECT 1"]);
    expect((await probe("clickhouse-client --query 'SELECT 1'")).sql).toEqual(["SELECT 1"]);
    expect((await probe("psql -f x.sql")).sql).toEqual([]);
  });
});
