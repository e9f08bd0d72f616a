import type { CategoryId } from "../../core/catalogue.js";

/**
 * What is special about paths, as data: the engine in classify.ts interprets it. Globs are
 * picomatch globs over absolute paths; `~/` is the home directory. The first matching entry
 * wins, so narrower entries come before broader ones.
 */
export interface SensitivePath {
  readonly glob: string | readonly string[];
  /** For humans: "an SSH private key". */
  readonly what: string;
  readonly read?: CategoryId;
  readonly write?: CategoryId;
  readonly delete?: CategoryId;
}

export const SENSITIVE_PATHS: readonly SensitivePath[] = [
  // An agent must not reach what holds it to account: Redline's state directory (audit log,
  // signing keys) and the harness settings that install its hook.
  {
    glob: ["**/.redline", "**/.redline/**"],
    what: "Redline's state (audit log and keys)",
    read: "secret.access",
    write: "audit.tamper",
    delete: "audit.tamper",
  },
  {
    glob: ["**/.claude/settings.json", "**/.claude/settings.local.json"],
    what: "the agent harness's settings (its hooks)",
    write: "security.weaken",
    delete: "security.weaken",
  },
  { glob: "**/*.pub", what: "a public key" },
  { glob: "~/.ssh/known_hosts*", what: "SSH known hosts", write: "security.weaken" },
  {
    glob: ["**/.ssh/authorized_keys*", "/etc/ssh/authorized_keys/**"],
    what: "SSH authorized keys",
    write: "iam.change",
    delete: "iam.change",
  },
  {
    glob: ["~/.ssh", "~/.ssh/**", "/root/.ssh/**", "/home/*/.ssh/**", "/etc/ssh/ssh_host_*_key"],
    what: "SSH keys",
    read: "secret.access",
    write: "iam.change",
    delete: "iam.change",
  },
  {
    glob: ["**/id_rsa", "**/id_dsa", "**/id_ecdsa", "**/id_ed25519", "**/*.pem", "**/*.key"],
    what: "a private key",
    read: "secret.access",
  },
  {
    glob: ["**/*.p12", "**/*.pfx", "**/*.jks", "**/*.keystore"],
    what: "a key store",
    read: "secret.access",
  },
  {
    glob: ["~/.aws", "~/.aws/credentials", "~/.aws/sso/cache/**", "~/.aws/cli/cache/**"],
    what: "AWS credentials",
    read: "secret.access",
    write: "iam.change",
  },
  {
    glob: ["~/.config/gcloud", "~/.config/gcloud/**"],
    what: "gcloud credentials",
    read: "secret.access",
    write: "iam.change",
  },
  {
    glob: ["~/.azure", "~/.azure/**"],
    what: "Azure credentials",
    read: "secret.access",
    write: "iam.change",
  },
  {
    glob: [
      "~/.kube",
      "~/.kube/config",
      "**/kubeconfig",
      "**/*.kubeconfig",
      "/etc/kubernetes/*.conf",
    ],
    what: "a kubeconfig",
    read: "secret.access",
    write: "iam.change",
  },
  {
    glob: ["**/.env.example", "**/.env.sample", "**/.env.template", "**/.env.dist"],
    what: "an env template",
  },
  { glob: ["**/.env", "**/.env.*", "**/*.env"], what: "an env file", read: "secret.access" },
  {
    glob: ["/etc/shadow", "/etc/gshadow", "/etc/master.passwd"],
    what: "password hashes",
    read: "secret.access",
    write: "iam.change",
    delete: "iam.change",
  },
  {
    glob: ["/etc/sudoers", "/etc/sudoers.d", "/etc/sudoers.d/**"],
    what: "sudoers",
    write: "iam.change",
    delete: "iam.change",
  },
  {
    glob: ["/etc/passwd", "/etc/group", "/etc/doas.conf", "/etc/pam.d/**"],
    what: "system accounts",
    write: "iam.change",
    delete: "iam.change",
  },
  {
    glob: [
      "~/.bash_history",
      "~/.zsh_history",
      "~/.zhistory",
      "~/.history",
      "~/.sh_history",
      "~/.local/share/fish/fish_history",
      "~/.python_history",
      "~/.node_repl_history",
      "~/.psql_history",
      "~/.mysql_history",
      "~/.rediscli_history",
      "/root/.bash_history",
    ],
    what: "shell history",
    read: "secret.access",
    write: "audit.tamper",
    delete: "audit.tamper",
  },
  {
    glob: [
      "~/.netrc",
      "~/_netrc",
      "**/.npmrc",
      "~/.pypirc",
      "**/.git-credentials",
      "~/.config/gh/hosts.yml",
      "~/.docker/config.json",
      "~/.vault-token",
      "~/.pgpass",
      "~/.my.cnf",
      "~/.terraform.d/credentials.tfrc.json",
      "~/.config/op/**",
      "~/.password-store/**",
      "~/.gnupg/**",
      "~/.cargo/credentials*",
      "~/.gem/credentials",
      "/proc/*/environ",
    ],
    what: "stored credentials",
    read: "secret.access",
    write: "iam.change",
  },
  {
    glob: [
      "/var/log",
      "/var/log/**",
      "/var/audit/**",
      "/private/var/log/**",
      "/run/log/journal/**",
    ],
    what: "system logs",
    write: "audit.tamper",
    delete: "audit.tamper",
  },
  {
    glob: [
      "~/.bashrc",
      "~/.bash_profile",
      "~/.bash_login",
      "~/.bash_logout",
      "~/.profile",
      "~/.zshrc",
      "~/.zprofile",
      "~/.zshenv",
      "~/.zlogin",
      "~/.config/fish/config.fish",
      "~/.config/fish/conf.d/**",
      "/etc/profile",
      "/etc/profile.d/**",
      "/etc/bash.bashrc",
      "/etc/bashrc",
      "/etc/zsh/**",
      "/etc/zshrc",
      "/etc/environment",
      "/etc/rc.local",
      "/etc/init.d/**",
      "/etc/ld.so.preload",
      "~/.config/autostart/**",
      "~/Library/LaunchAgents/**",
      "/Library/LaunchAgents/**",
      "/Library/LaunchDaemons/**",
    ],
    what: "a startup file (persistence)",
    write: "security.weaken",
  },
  {
    glob: [
      "/etc/crontab",
      "/etc/cron.*/**",
      "/etc/cron.d",
      "/var/spool/cron/**",
      "/etc/anacrontab",
    ],
    what: "cron (persistence)",
    write: "security.weaken",
    delete: "security.weaken",
  },
  {
    glob: [
      "/etc/systemd/**",
      "/lib/systemd/system/**",
      "/usr/lib/systemd/**",
      "~/.config/systemd/**",
    ],
    what: "a systemd unit (persistence)",
    write: "security.weaken",
  },
  {
    glob: ["**/.git/hooks/**", "**/.git/hooks"],
    what: "a git hook (persistence)",
    write: "security.weaken",
  },
  { glob: ["**/.git"], what: "the git repository", delete: "data.destroy" },
  {
    glob: ["/etc/selinux/config", "/etc/apparmor.d/**", "/etc/security/**"],
    what: "a security control",
    write: "security.weaken",
  },
  {
    glob: ["**/*.tfstate", "**/*.tfstate.backup"],
    what: "terraform state",
    read: "secret.access",
    delete: "infra.destroy",
  },
];

/** Directories whose deletion breaks the host. Exact paths; `~` is the home directory. */
export const SYSTEM_DIRS: readonly string[] = [
  "/",
  "/bin",
  "/boot",
  "/dev",
  "/etc",
  "/home",
  "/lib",
  "/lib32",
  "/lib64",
  "/libx32",
  "/opt",
  "/proc",
  "/root",
  "/run",
  "/sbin",
  "/sys",
  "/usr",
  "/usr/bin",
  "/usr/lib",
  "/usr/lib64",
  "/usr/local",
  "/usr/local/bin",
  "/usr/sbin",
  "/usr/share",
  "/usr/include",
  "/var",
  "/var/lib",
  "/snap",
  "/Users",
  "/System",
  "/Library",
  "/Applications",
  "/private",
  "/private/etc",
  "/private/var",
  "C:",
  "C:/Windows",
  "C:/Users",
  "C:/Program Files",
  "C:/Program Files (x86)",
  "C:/ProgramData",
];

/** Where hosts keep stored data: the directory itself and everything inside is data. */
export const DATA_DIRS: readonly string[] = [
  "/srv",
  "/data",
  "/mnt",
  "/media",
  "/var/lib/postgresql",
  "/var/lib/pgsql",
  "/var/lib/mysql",
  "/var/lib/mariadb",
  "/var/lib/mongodb",
  "/var/lib/redis",
  "/var/lib/docker",
  "/var/lib/containerd",
  "/var/lib/elasticsearch",
  "/var/lib/opensearch",
  "/var/lib/cassandra",
  "/var/lib/clickhouse",
  "/var/lib/influxdb",
  "/var/lib/rabbitmq",
  "/var/lib/etcd",
  "/var/lib/minio",
  "/var/lib/mssql",
  "/var/opt/mssql",
  "/var/www",
  "/var/mail",
];

export const BACKUP_DIRS: readonly string[] = ["/var/backups", "/backup", "/backups", "/snapshots"];

/** Directory names that hold data wherever they are (the directory itself is protected). */
export const DATA_NAMES: readonly string[] = [
  "data",
  "db",
  "dbs",
  "database",
  "databases",
  "datastore",
  "pgdata",
  "volumes",
  "postgres",
  "postgresql",
  "mysql",
  "mongodb",
];

export const BACKUP_NAMES: readonly string[] = [
  "backup",
  "backups",
  "snapshot",
  "snapshots",
  ".snapshots",
];

/** Regenerable output: deleting it loses nothing. Directory or file names. */
export const BUILD_ARTEFACT_NAMES: readonly string[] = [
  "node_modules",
  "dist",
  "build",
  "out",
  "coverage",
  ".nyc_output",
  ".next",
  ".nuxt",
  ".output",
  ".svelte-kit",
  ".turbo",
  ".parcel-cache",
  ".vite",
  ".angular",
  ".expo",
  "target",
  "__pycache__",
  ".pytest_cache",
  ".mypy_cache",
  ".ruff_cache",
  ".tox",
  ".nox",
  ".venv",
  "venv",
  ".gradle",
  ".cache",
  ".eslintcache",
  ".terraform",
  "tmp",
  ".tmp",
  "temp",
  "obj",
  ".dart_tool",
  ".DS_Store",
  "Thumbs.db",
];

/** Regenerable files by extension. */
export const BUILD_ARTEFACT_EXTENSIONS: readonly string[] = [
  ".pyc",
  ".pyo",
  ".o",
  ".obj",
  ".class",
  ".tsbuildinfo",
  ".log",
  ".tmp",
  ".swp",
];

/** Caches outside any workspace that tools recreate. Exact paths and everything inside. */
export const CACHE_DIRS: readonly string[] = [
  "~/.cache",
  "~/.npm/_cacache",
  "~/.npm/_npx",
  "~/.pnpm-store",
  "~/.yarn/cache",
  "~/.cargo/registry",
  "~/.gradle/caches",
  "~/.m2/repository",
  "~/Library/Caches",
];

/** Scratch space: writes here are not writes "outside the workspace". */
export const SCRATCH_DIRS: readonly string[] = ["/tmp", "/var/tmp", "/dev/shm", "/private/tmp"];

/** Device paths that are harmless to write to or read from. */
export const HARMLESS_DEVICES: readonly string[] = [
  "/dev/null",
  "/dev/zero",
  "/dev/random",
  "/dev/urandom",
  "/dev/stdin",
  "/dev/stdout",
  "/dev/stderr",
  "/dev/tty",
  "/dev/fd/*",
  "/dev/pts/*",
  "/proc/self/fd/*",
];

/** Block devices: writing to one destroys a filesystem (regex source over the path). */
export const DISK_DEVICE =
  "^/dev/(sd|hd|vd|xvd|nvme|mmcblk|disk|rdisk|md|dm-|mapper/|loop|sr|nbd|root$)";

/** Writing here is host-level: kernel triggers and memory. */
export const KERNEL_DEVICES: readonly string[] = [
  "/proc/sysrq-trigger",
  "/dev/mem",
  "/dev/kmem",
  "/dev/port",
];
