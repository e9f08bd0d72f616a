import { hasOpt, optValue, optValues, parseArgs } from "../args.js";
import { type Call, type Handler, rest, shown } from "../call.js";
import { joined, runString } from "../command.js";
import { literalWord, NONE, type Stream, type Word } from "../model.js";
import { hostOf } from "../run.js";

const DATA = ["-d", "--data", "--data-binary", "--data-urlencode", "--data-ascii", "--json"];
const RAW_DATA = ["--data-raw"];

/** Streams that carry local data (a file, a command's output) rather than text the agent wrote. */
function carriesLocalData(s: Stream): boolean {
  return s.kind === "file" || s.kind === "dynamic" || s.kind === "paths" || s.kind === "decode";
}

/**
 * curl: uploads of local files (`-d @f`, `-T f`, `-F x=@f`, data from stdin or a command) are
 * network.egress; the request itself goes to the HTTP analyzer; `-o f` records a download so
 * running it later is download-and-execute.
 */
export const curl: Handler = (call) => {
  const { args, run, scope } = call;
  const urls = [...args.operands, ...optValues(args, ["--url"])];
  const hosts = urls.map((u) => (u.literal ? hostOf(withScheme(u.value)) : undefined));
  const sends: string[] = [];
  const send = (what: string | undefined) => what && sends.push(what);
  const body: string[] = [];
  let dynamicBody = false;
  for (const o of args.opts) {
    const v = o.value;
    if (!v) continue;
    if (DATA.includes(o.name) || RAW_DATA.includes(o.name)) {
      if (!RAW_DATA.includes(o.name) && v.value.startsWith("@"))
        send(upload(call, v.value.slice(1), v));
      else if (!v.literal) dynamicBody = true;
      else body.push(v.value);
    } else if (o.name === "-F" || o.name === "--form") {
      const m = /^[^=]*=[@<]([^;]+)/.exec(v.value);
      if (m) send(upload(call, m[1] as string, v));
    } else if (o.name === "-T" || o.name === "--upload-file") send(upload(call, v.value, v));
  }
  if (dynamicBody) sends.push("data built at run time");
  for (const what of sends)
    for (const h of hosts.length ? hosts : [undefined]) run.egress(h, `curl sends ${what}`);
  const method = (
    optValue(args, ["-X", "--request"])?.value ??
    defaultMethod(args, body.length > 0 || sends.length > 0)
  ).toUpperCase();
  const headers: Record<string, string> = {};
  for (const h of optValues(args, ["-H", "--header"])) {
    const colon = h.value.indexOf(":");
    if (colon > 0) headers[h.value.slice(0, colon).trim()] = h.value.slice(colon + 1).trim();
  }
  urls.forEach((u, i) => {
    const host = hosts[i];
    if (host) run.out.target("hosts", host);
    if (!u.literal) return;
    const request = {
      method,
      url: withScheme(u.value),
      headers,
      ...(body.length ? { body: body.join("&") } : {}),
    };
    run.http(request, scope);
  });
  return saved(
    call,
    urls,
    optValue(args, ["-o", "--output"]),
    hasOpt(args, ["-O", "--remote-name", "--remote-name-all"]),
  );
};

function defaultMethod(args: Call["args"], hasBody: boolean): string {
  if (hasOpt(args, ["-I", "--head"])) return "HEAD";
  if (hasOpt(args, ["-T", "--upload-file"])) return "PUT";
  if (hasBody && !hasOpt(args, ["-G", "--get"])) return "POST";
  return "GET";
}

function withScheme(url: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`;
}

/**
 * A local file sent upstream (reading it is classified too: a credential is secret.access);
 * undefined for stdin that only carries text the agent wrote.
 */
function upload(call: Call, file: string, from: Word): string | undefined {
  if (file === "-" || file === "")
    return carriesLocalData(call.stdin) ? describe(call.stdin) : undefined;
  const word = from.literal
    ? literalWord(file)
    : { ...from, value: file, prefix: from.prefix.replace(/^.*?@/, "") };
  call.run.path(word, "read", call.scope, { verb: `${call.name} uploads` });
  return file;
}

/** Where a downloader put its file: remembered so that running it is download-and-execute. */
function saved(call: Call, urls: Word[], output: Word | undefined, remoteName: boolean): Stream {
  const { run, scope } = call;
  const files: Word[] = [];
  if (output && output.value !== "-") files.push(output);
  if (remoteName)
    for (const u of urls)
      if (u.literal)
        files.push(
          literalWord(
            u.value
              .replace(/[?#].*$/, "")
              .replace(/\/+$/, "")
              .split("/")
              .pop() || "index.html",
          ),
        );
  for (const f of files) {
    run.path(f, "overwrite", scope, { verb: `${call.name} saves to` });
    const abs = run.resolve(f, scope);
    if (abs) scope.downloads.add(abs);
  }
  if (files.length > 0) return NONE;
  return { kind: "download", url: urls[0]?.value };
}

/** wget: saves to a file by default (`-O -` prints), `--post-file` uploads a local file. */
export const wget: Handler = (call) => {
  const { args, run, scope } = call;
  const urls = args.operands;
  const hosts = urls.map((u) => (u.literal ? hostOf(withScheme(u.value)) : undefined));
  for (const f of optValues(args, ["--post-file", "--body-file"]))
    for (const h of hosts) run.egress(h, `wget sends ${upload(call, f.value, f) ?? "its input"}`);
  const body = optValue(args, ["--post-data", "--body-data"]);
  const method = (optValue(args, ["--method"])?.value ?? (body ? "POST" : "GET")).toUpperCase();
  urls.forEach((u, i) => {
    const host = hosts[i];
    if (host) run.out.target("hosts", host);
    if (u.literal)
      run.http(
        { method, url: withScheme(u.value), ...(body?.literal ? { body: body.value } : {}) },
        scope,
      );
  });
  const output = optValue(args, ["-O", "--output-document"]);
  if (output?.value === "-") return { kind: "download", url: urls[0]?.value };
  const dir = optValue(args, ["-P", "--directory-prefix"]);
  const files = output
    ? [output]
    : urls
        .filter((u) => u.literal)
        .map((u) =>
          literalWord(
            `${dir ? `${dir.value}/` : ""}${
              u.value
                .replace(/[?#].*$/, "")
                .replace(/\/+$/, "")
                .split("/")
                .pop() || "index.html"
            }`,
          ),
        );
  for (const f of files) {
    run.path(f, "overwrite", scope, { verb: "wget saves to" });
    const abs = run.resolve(f, scope);
    if (abs) scope.downloads.add(abs);
  }
  return NONE;
};

/** ssh HOST [CMD...]: the remote command is analysed too (paths there are not our workspace). */
export const ssh: Handler = (call) => {
  const { run, scope, spec } = call;
  const args = parseArgs(call.words, spec, 1);
  const host = args.operands[0];
  for (const o of optValues(args, ["-o"])) {
    const m = /^(ProxyCommand|LocalCommand)[= ](.*)$/i.exec(o.value);
    if (m) runString(run, { ...o, value: m[2] as string }, scope, `ssh ${m[1]}`);
  }
  if (!host) return NONE;
  const name = host.literal ? hostOf(host.value) : undefined;
  if (name) run.out.target("hosts", name);
  run.out.flag("remote");
  const remote = run.elsewhere();
  const command = call.words.slice((args.at[0] as number) + 1);
  if (command.length > 0) {
    const text = joined(command);
    if (text.literal) run.shell(text.value, scope, `ssh ${host.value}`, remote);
    else runString(run, text, scope, `ssh ${host.value}`);
    if (carriesLocalData(call.stdin)) run.egress(name, `ssh sends ${describe(call.stdin)}`);
    return { kind: "dynamic", from: "ssh" };
  }
  // No command: stdin is the remote script.
  if (call.stdin.kind === "text") run.shell(call.stdin.text, scope, `ssh ${host.value}`, remote);
  else if (call.stdin.kind === "download")
    run.out.add("code.remote_exec", `ssh ${host.value} runs a script fetched from the network`);
  else if (call.stdin.kind === "dynamic" || call.stdin.kind === "decode")
    run.out.opaque(`ssh ${host.value} runs commands built at run time`);
  return { kind: "dynamic", from: "ssh" };
};

function describe(s: Stream): string {
  return s.kind === "file"
    ? s.path
    : s.kind === "dynamic"
      ? `the output of ${s.from}`
      : "local data";
}

const REMOTE = /^(?:[^@/\s]+@)?(\[[^\]]+\]|[a-z0-9_.-]+):(?!\/\/)/i;
const WINDOWS_DRIVE = /^[a-z]:[\\/]/i;
function remoteHost(w: Word): string | undefined {
  if (!w.literal || WINDOWS_DRIVE.test(w.value)) return undefined;
  if (/^rsync:\/\//i.test(w.value)) return hostOf(w.value);
  return REMOTE.test(w.value) ? hostOf(w.value) : undefined;
}

/**
 * scp, sftp, rsync: local files sent to a remote host are network.egress; files fetched are
 * writes; `rsync --delete` removes whatever the destination has that the source lacks.
 */
export const transfer: Handler = (call) => {
  const { run, scope, args } = call;
  const ops = args.operands;
  if (ops.length < 2) return NONE;
  const target = ops[ops.length - 1] as Word;
  const sources = ops.slice(0, -1);
  const to = remoteHost(target);
  if (to) {
    run.out.flag("remote");
    for (const s of sources) {
      if (remoteHost(s)) continue;
      run.path(s, "read", scope, { verb: `${call.name} sends` });
      run.egress(to, `${call.name} sends ${s.value}`);
    }
  } else {
    run.path(target, "write", scope, { verb: `${call.name} onto` });
    if (sources.some((s) => remoteHost(s))) run.out.flag("remote");
  }
  if (call.name === "rsync" && args.opts.some((o) => o.name.startsWith("--del"))) {
    if (to) run.out.add("data.destroy", `rsync --delete removes files on ${target.value}`);
    else run.path(target, "delete", scope, { recursive: true, verb: "rsync --delete into" });
  }
  if (hasOpt(args, "--remove-source-files"))
    for (const s of sources)
      if (!remoteHost(s)) run.path(s, "delete", scope, { verb: "rsync --remove-source-files of" });
  return NONE;
};

/** nc/ncat: `-e`/`-c` hands a shell to the network; piping local data in sends it out. */
export const netcat: Handler = (call) => {
  const { args, run } = call;
  const host = args.operands.find((w) => !/^\d+(-\d+)?$/.test(w.value));
  const name = host?.literal ? hostOf(host.value) : undefined;
  if (name) run.out.target("hosts", name);
  const exec = optValue(args, ["-e", "-c", "--exec", "--sh-exec", "--lua-exec"]);
  if (exec) {
    run.out.add(
      "code.remote_exec",
      `${call.name} ${hasOpt(args, ["-l", "--listen"]) ? "serves" : "connects"} a shell (${exec.value}) over the network`,
    );
    return NONE;
  }
  if (hasOpt(args, ["-l", "--listen", "-z"])) return NONE;
  if (carriesLocalData(call.stdin)) run.egress(name, `${call.name} sends ${describe(call.stdin)}`);
  else if (call.stdin.kind === "none" && host) run.out.flag("interactive");
  return { kind: "dynamic", from: call.name };
};

/** socat ADDR ADDR: EXEC/SYSTEM against a network address is a remote shell; FILE to network sends it. */
export const socat: Handler = (call) => {
  const { run, scope } = call;
  const addrs = call.words.filter((w) => !w.value.startsWith("-") || w.value === "-");
  const network = addrs.find((w) =>
    /^(tcp|udp|ssl|openssl|tcp4|tcp6|udp4|udp6|sctp)[-:]/i.test(w.value),
  );
  const host = network ? hostOf(network.value.replace(/^[a-z0-9-]+:/i, "")) : undefined;
  if (host && !/listen/i.test(network?.value ?? "")) run.out.target("hosts", host);
  for (const a of addrs) {
    const m = /^(exec|system):(.*?)(,.*)?$/i.exec(a.value);
    if (m) {
      if (network) run.out.add("code.remote_exec", `socat gives a network peer a shell (${m[2]})`);
      runString(run, { ...a, value: m[2] as string }, scope, "socat");
    }
    const f = /^(file|open|gopen|create):([^,]+)/i.exec(a.value);
    if (f && network) {
      run.path(literalWord(f[2] as string), "read", scope, { verb: "socat sends" });
      run.egress(host, `socat sends ${f[2]}`);
    }
    if (/^(-|stdin|stdio)$/i.test(a.value) && network && carriesLocalData(call.stdin))
      run.egress(host, `socat sends ${describe(call.stdin)}`);
  }
  return NONE;
};

const ADDRESS = /^(?:[^<>@\s]*<)?([^<>@\s]+@([a-z0-9.-]+\.[a-z]{2,}))>?$/i;

/**
 * mail, sendmail, mutt, swaks: messages to addresses outside the organisation (by
 * ctx.internalHosts) are external.send; attachments are files read.
 */
export const mail: Handler = (call) => {
  const { run, scope, args } = call;
  const sender = new Set(["-r", "-f", "--from", "-F"]);
  const candidates = [
    ...args.operands,
    ...args.opts.filter((o) => o.value && !sender.has(o.name)).map((o) => o.value as Word),
  ];
  for (const w of candidates) {
    const m = ADDRESS.exec(w.value);
    if (!m) continue;
    const domain = (m[2] as string).toLowerCase();
    run.out.target("resources", `mailto:${m[1]}`);
    if (!run.internal(domain)) run.out.add("external.send", `${call.name} sends mail to ${m[1]}`);
  }
  for (const o of args.opts)
    if ((o.name === "-a" || o.name === "-A" || o.name === "--attach") && o.value)
      run.path(o.value, "read", scope, { verb: `${call.name} attaches` });
  return NONE;
};

/** Copies to object storage (`aws s3 cp`, `gsutil cp`, `rclone copy`): local files sent out. */
export const cloudCopy: Handler = (call) => {
  const { run, scope } = call;
  const ops = rest(call);
  if (ops.length < 2) return NONE;
  const target = ops[ops.length - 1] as Word;
  const bucket =
    /^(s3|gs|az|r2|b2|wasbs?|abfss?):\/\/([^/]+)/i.exec(target.value) ??
    /^([a-z0-9_-]+):(?!\/\/)/i.exec(target.value);
  if (!bucket) return NONE;
  const host =
    bucket.length > 2 ? storageHost(bucket[1] as string, bucket[2] as string) : undefined;
  run.out.target("resources", target.value);
  for (const s of ops.slice(0, -1)) {
    if (/^[a-z0-9]+:\/\//i.test(s.value) || /^[a-z0-9_-]+:(?!\/\/)/i.test(s.value)) continue;
    run.path(s, "read", scope, { verb: `${call.name} uploads` });
    run.egress(host, `${call.name} uploads ${shown([s], 1)}`);
  }
  return NONE;
};

function storageHost(scheme: string, bucket: string): string {
  switch (scheme.toLowerCase()) {
    case "s3":
      return `${bucket}.s3.amazonaws.com`;
    case "gs":
      return `${bucket}.storage.googleapis.com`;
    default:
      return bucket.includes(".") ? bucket : `${bucket}.${scheme.toLowerCase()}`;
  }
}
