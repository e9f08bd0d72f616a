import type { CommandSpec } from "./types.js";

const GREP_LIKE: CommandSpec = {
  reads: { skip: 1, unlessOptions: ["-e", "--regexp", "-f", "--file"] },
  output: "transform",
  valueOptions: [
    "-e",
    "--regexp",
    "-f",
    "--file",
    "-A",
    "-B",
    "-C",
    "-m",
    "--max-count",
    "--include",
    "--exclude",
    "-g",
    "--glob",
    "-t",
    "--type",
    "-T",
    "--type-not",
    "--color",
    "--colour",
  ],
};
const READER: CommandSpec = {
  reads: {},
  output: "passthrough",
  valueOptions: ["-n", "-c", "--lines", "--bytes"],
};
const FILTER: CommandSpec = { ...READER, output: "transform" };
const DISK_WRITER: CommandSpec = {
  rules: [
    {
      unless: [
        {
          flag: [
            "-l",
            "--list",
            "-p",
            "--print",
            "-s",
            "--show",
            "-V",
            "--version",
            "-h",
            "--help",
            "-n",
            "--no-act",
          ],
        },
      ],
      category: "system.destroy",
      reason: "{cmd} rewrites a disk's partitions or filesystem",
    },
  ],
};

/** Files, disks and the commands that read them. */
export const FILE_COMMANDS: Readonly<Record<string, CommandSpec>> = {
  rm: { handler: "rm" },
  unlink: { handler: "rm" },
  rmdir: { handler: "rmdir" },
  shred: {
    handler: "shred",
    valueOptions: ["-n", "--iterations", "-s", "--size", "--random-source"],
  },
  truncate: { handler: "truncate", valueOptions: ["-s", "--size", "-r", "--reference"] },
  dd: { handler: "dd" },
  mv: { handler: "mv", valueOptions: ["-t", "--target-directory", "-S", "--suffix"] },
  cp: { handler: "cp", valueOptions: ["-t", "--target-directory", "-S", "--suffix"] },
  install: {
    handler: "cp",
    valueOptions: [
      "-m",
      "--mode",
      "-o",
      "--owner",
      "-g",
      "--group",
      "-t",
      "--target-directory",
      "-S",
    ],
  },
  rsync: {
    handler: "rsync",
    valueOptions: [
      "-e",
      "--rsh",
      "--exclude",
      "--include",
      "--filter",
      "-f",
      "--files-from",
      "--exclude-from",
      "--include-from",
      "--chmod",
      "--chown",
      "--rsync-path",
      "-T",
      "--temp-dir",
      "--backup-dir",
      "--suffix",
      "--port",
      "--log-file",
      "--password-file",
      "-B",
      "--block-size",
      "--bwlimit",
      "--timeout",
      "--max-size",
      "--min-size",
    ],
  },
  tee: { handler: "tee", output: "passthrough" },
  touch: { handler: "write", valueOptions: ["-d", "--date", "-r", "--reference", "-t"] },
  mkdir: { handler: "write", valueOptions: ["-m", "--mode"] },
  mkfifo: { handler: "write", valueOptions: ["-m", "--mode"] },
  ln: { handler: "ln", valueOptions: ["-t", "--target-directory", "-S", "--suffix"] },
  sed: {
    handler: "sed",
    valueOptions: ["-e", "--expression", "-f", "--file", "-l", "--line-length"],
    output: "transform",
  },
  chmod: { handler: "chmod", valueOptions: ["--reference"] },
  chown: { handler: "chown", valueOptions: ["--reference", "--from"] },
  chgrp: { handler: "chown", valueOptions: ["--reference"] },
  chattr: {
    rules: [
      {
        when: [{ word: "^-[a-z]*[ia]" }],
        category: "security.weaken",
        reason: "chattr removes the immutable or append-only flag",
      },
    ],
  },
  find: { handler: "find", longSingleDash: true },
  rd: { handler: "windows-delete" },
  del: { handler: "windows-delete" },
  erase: { handler: "windows-delete" },
  "remove-item": { handler: "windows-delete" },
  ri: { handler: "windows-delete" },
  format: {
    rules: [
      {
        when: [{ operand: "^[a-z]:$" }],
        category: "system.destroy",
        reason: "format of drive {args}",
      },
    ],
  },
  "format.com": {
    rules: [
      {
        when: [{ operand: "^[a-z]:$" }],
        category: "system.destroy",
        reason: "format of drive {args}",
      },
    ],
  },
  mkfs: {
    rules: [{ category: "system.destroy", reason: "mkfs creates a new filesystem over a device" }],
  },
  mke2fs: {
    rules: [
      { category: "system.destroy", reason: "mke2fs creates a new filesystem over a device" },
    ],
  },
  mkswap: { rules: [{ category: "system.destroy", reason: "mkswap overwrites a device" }] },
  wipefs: {
    rules: [
      {
        when: [{ flag: ["-a", "--all", "-o", "--offset"] }],
        unless: [{ flag: ["-n", "--no-act"] }],
        category: "system.destroy",
        reason: "wipefs erases filesystem signatures",
      },
    ],
  },
  fdisk: DISK_WRITER,
  sfdisk: DISK_WRITER,
  cfdisk: DISK_WRITER,
  gdisk: DISK_WRITER,
  sgdisk: {
    rules: [
      {
        when: [{ flag: ["-Z", "--zap-all", "-o", "--clear", "-d", "--delete", "-n", "--new"] }],
        category: "system.destroy",
        reason: "sgdisk rewrites a disk's partition table",
      },
    ],
  },
  parted: {
    rules: [
      {
        when: [{ word: "^(mklabel|mkpart|rm|resizepart|mkfs)$" }],
        category: "system.destroy",
        reason: "parted rewrites a disk's partitions",
      },
    ],
  },
  blkdiscard: {
    rules: [{ category: "system.destroy", reason: "blkdiscard discards every block of a device" }],
  },
  hdparm: {
    rules: [
      {
        when: [{ word: "security-erase" }],
        category: "system.destroy",
        reason: "hdparm erases a disk",
      },
    ],
  },
  lvremove: { rules: [{ category: "data.destroy", reason: "lvremove deletes a logical volume" }] },
  vgremove: { rules: [{ category: "data.destroy", reason: "vgremove deletes a volume group" }] },
  pvremove: { rules: [{ category: "data.destroy", reason: "pvremove wipes a physical volume" }] },
  zfs: {
    rules: [
      {
        sub: ["destroy"],
        when: [{ operand: "@" }],
        category: "backup.destroy",
        reason: "zfs destroy of snapshot {args}",
      },
      {
        sub: ["destroy"],
        category: "data.destroy",
        reason: "zfs destroy of {args}",
        otherwise: true,
      },
    ],
  },
  zpool: {
    rules: [
      { sub: ["destroy|labelclear"], category: "data.destroy", reason: "zpool {sub} {args}" },
    ],
  },
  btrfs: {
    rules: [
      {
        sub: ["subvolume", "delete"],
        category: "data.destroy",
        reason: "btrfs subvolume delete {args}",
      },
    ],
  },
  cat: READER,
  tac: READER,
  less: READER,
  more: READER,
  head: READER,
  tail: {
    ...READER,
    valueOptions: ["-n", "-c", "--lines", "--bytes", "-s", "--sleep-interval", "--pid"],
  },
  bat: READER,
  batcat: READER,
  nl: FILTER,
  od: FILTER,
  hexdump: FILTER,
  strings: FILTER,
  sort: {
    ...FILTER,
    valueOptions: ["-k", "--key", "-t", "--field-separator", "-o", "--output", "-S", "-T"],
  },
  uniq: FILTER,
  cut: { ...FILTER, valueOptions: ["-d", "--delimiter", "-f", "--fields", "-c", "-b"] },
  paste: FILTER,
  diff: FILTER,
  cmp: FILTER,
  comm: FILTER,
  column: FILTER,
  fold: FILTER,
  vim: READER,
  vi: READER,
  nvim: READER,
  nano: READER,
  emacs: READER,
  code: READER,
  open: READER,
  "xdg-open": READER,
  unzip: { valueOptions: ["-d", "-x", "-P"], writesTo: { options: ["-d"] } },
  zip: { reads: { skip: 1 }, valueOptions: ["-P", "--password", "-x", "-i"] },
  tar: {
    reads: {},
    dashlessFirst: true,
    writesTo: { options: ["-C", "--directory"], when: ["-x", "--extract", "--get"] },
    valueOptions: [
      "-f",
      "--file",
      "-C",
      "--directory",
      "-T",
      "--files-from",
      "-X",
      "--exclude-from",
      "-b",
      "-H",
      "--format",
      "-I",
      "--use-compress-program",
    ],
  },
  grep: GREP_LIKE,
  egrep: GREP_LIKE,
  fgrep: GREP_LIKE,
  zgrep: GREP_LIKE,
  rg: GREP_LIKE,
  ag: GREP_LIKE,
  ack: GREP_LIKE,
  awk: {
    reads: { skip: 1, unlessOptions: ["-f"] },
    valueOptions: ["-F", "-v", "-f"],
    output: "transform",
  },
  gawk: {
    reads: { skip: 1, unlessOptions: ["-f"] },
    valueOptions: ["-F", "-v", "-f"],
    output: "transform",
  },
  jq: {
    reads: { skip: 1 },
    valueOptions: [
      "--arg",
      "--argjson",
      "--slurpfile",
      "--rawfile",
      "-f",
      "--from-file",
      "--indent",
    ],
    output: "transform",
  },
  yq: { reads: { skip: 1 }, output: "transform" },
  tr: { output: "transform" },
  rimraf: { handler: "rimraf" },
  "del-cli": { handler: "rimraf" },
  base64: {
    handler: "decoder",
    reads: {},
    valueOptions: ["-w", "--wrap", "-i", "-o", "--input", "--output"],
  },
  base32: { handler: "decoder", reads: {} },
  xxd: { handler: "decoder", reads: {}, valueOptions: ["-c", "-g", "-l", "-s", "-o"] },
  uudecode: { output: "decode" },
  openssl: {
    handler: "decoder",
    valueOptions: ["-in", "-out", "-k", "-pass", "-K", "-iv", "-md", "-kfile"],
    longSingleDash: true,
  },
  gunzip: { output: "decode" },
  zcat: { output: "decode" },
  gzip: { handler: "decoder" },
  bzip2: { handler: "decoder" },
  xz: { handler: "decoder" },
  unxz: { output: "decode" },
  rev: { output: "decode" },
  gpg: {
    handler: "decoder",
    valueOptions: [
      "-o",
      "--output",
      "-r",
      "--recipient",
      "-u",
      "--local-user",
      "--passphrase",
      "--passphrase-file",
      "--homedir",
      "--keyserver",
    ],
    rules: [
      {
        when: [{ flag: ["-d", "--decrypt"] }],
        category: "secret.access",
        reason: "gpg decrypts {args}",
      },
      {
        when: [{ flag: ["--export-secret-keys", "--export-secret-subkeys"] }],
        category: "secret.access",
        reason: "gpg exports private keys",
      },
      {
        when: [
          { flag: ["--delete-secret-keys", "--delete-secret-and-public-keys", "--delete-keys"] },
        ],
        category: "iam.change",
        reason: "gpg deletes keys",
      },
    ],
  },
  sops: {
    rules: [
      {
        when: [{ flag: ["-d", "--decrypt"] }],
        category: "secret.access",
        reason: "sops decrypts {args}",
      },
    ],
  },
  "ansible-vault": {
    rules: [
      { sub: ["view|decrypt"], category: "secret.access", reason: "ansible-vault {sub} {args}" },
    ],
  },
};
