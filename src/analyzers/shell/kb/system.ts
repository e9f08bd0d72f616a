import type { CommandSpec, EnvironmentRule, Rule } from "./types.js";

/** Services that record or watch what happens on a host. */
const AUDIT_SERVICES =
  "^(auditd|rsyslog|syslog|syslog-ng|systemd-journald|journald|auditbeat|filebeat|packetbeat|fluentd|fluent-bit|td-agent|osqueryd|falco|wazuh-agent|ossec|datadog-agent|splunkd|splunkforwarder|vector|promtail|otelcol|amazon-cloudwatch-agent|google-cloud-ops-agent|sysmon)(\\.service|\\.socket)?$";
/** Services that enforce security. */
const SECURITY_SERVICES =
  "^(firewalld|ufw|iptables|ip6tables|nftables|netfilter-persistent|apparmor|selinux|fail2ban|crowdsec|clamav-daemon|clamav-freshclam|clamd|sshguard|csf|lfd|snort|suricata|aide|tripwire|crowdstrike|falcon-sensor)(\\.service)?$";

const STOPPING = "^(stop|disable|mask|kill|reset-failed)$";

const POWER: Rule[] = [
  {
    unless: [{ flag: ["-c", "--cancel", "--help", "-k"] }],
    category: "system.destroy",
    reason: "{cmd} takes the host down",
  },
];

const USER_ADMIN: CommandSpec = {
  rules: [{ category: "iam.change", reason: "{cmd} changes accounts or credentials" }],
};

/** Host administration: services, power, firewalls, accounts, scheduling, audit. */
export const SYSTEM_COMMANDS: Readonly<Record<string, CommandSpec>> = {
  // Redline itself: an agent that votes on approvals, resumes agents or mints credentials is
  // taking the human's part (it would need an approver secret, but unknown is not safe).
  redline: {
    valueOptions: [
      "--state-dir",
      "-p",
      "--policy",
      "--by",
      "--reason",
      "-m",
      "--comment",
      "--secret-file",
      "--server",
      "--agent",
      "--ttl",
    ],
    rules: [
      {
        sub: ["approvals", "approve|deny"],
        category: "security.weaken",
        reason: "redline approvals {sub} {args}: a human's vote",
      },
      {
        sub: ["agents|resume|panic|hook|approvers|token"],
        when: [
          {
            word: "^(resume|suspend|bootstrap|panic|install|add|remove|issue|exchange|rotate-key|--all)$",
          },
        ],
        category: "security.weaken",
        reason: "redline {sub} {args} changes who may act",
      },
    ],
  },
  systemctl: {
    valueOptions: [
      "-H",
      "--host",
      "-M",
      "--machine",
      "-p",
      "--property",
      "-t",
      "--type",
      "-s",
      "--signal",
      "--state",
      "-n",
      "--lines",
      "-o",
      "--output",
      "--root",
    ],
    rules: [
      {
        sub: [STOPPING],
        when: [{ operand: AUDIT_SERVICES }],
        category: "audit.tamper",
        reason: "systemctl {sub} {args} stops audit logging",
      },
      {
        sub: [STOPPING],
        when: [{ operand: SECURITY_SERVICES }],
        category: "security.weaken",
        reason: "systemctl {sub} {args} disables a security control",
      },
      {
        sub: ["poweroff|reboot|halt|kexec|rescue|emergency|soft-reboot"],
        category: "system.destroy",
        reason: "systemctl {sub} takes the host down",
      },
      {
        sub: ["isolate"],
        when: [{ operand: "^(rescue|emergency|poweroff|reboot|halt)(\\.target)?$" }],
        category: "system.destroy",
        reason: "systemctl isolate {args}",
      },
    ],
  },
  service: {
    rules: [
      {
        when: [
          { operand: AUDIT_SERVICES, at: 0 },
          { operand: "^stop$", at: 1 },
        ],
        category: "audit.tamper",
        reason: "service {args} stops audit logging",
      },
      {
        when: [
          { operand: SECURITY_SERVICES, at: 0 },
          { operand: "^stop$", at: 1 },
        ],
        category: "security.weaken",
        reason: "service {args} disables a security control",
      },
    ],
  },
  "update-rc.d": {
    rules: [
      {
        when: [
          { operand: AUDIT_SERVICES, at: 0 },
          { operand: "^(disable|remove)$", at: 1 },
        ],
        category: "audit.tamper",
        reason: "update-rc.d {args}",
      },
    ],
  },
  chkconfig: {
    rules: [
      {
        when: [
          { operand: AUDIT_SERVICES, at: 0 },
          { operand: "^off$", at: 1 },
        ],
        category: "audit.tamper",
        reason: "chkconfig {args}",
      },
    ],
  },
  launchctl: {
    rules: [
      {
        sub: ["unload|bootout|disable|remove"],
        category: "security.weaken",
        reason: "launchctl {sub} {args}",
      },
    ],
  },
  shutdown: { rules: POWER },
  reboot: { rules: POWER },
  halt: { rules: POWER },
  poweroff: { rules: POWER },
  init: {
    rules: [
      {
        when: [{ operand: "^[06sS]$" }],
        category: "system.destroy",
        reason: "init {args} takes the host down",
      },
    ],
  },
  telinit: {
    rules: [
      {
        when: [{ operand: "^[06sS]$" }],
        category: "system.destroy",
        reason: "telinit {args} takes the host down",
      },
    ],
  },
  kill: { handler: "kill", valueOptions: ["-s", "-n"] },
  killall5: { rules: [{ category: "system.destroy", reason: "killall5 kills every process" }] },
  pkill: {
    rules: [
      {
        when: [{ operand: "^(init|systemd|sshd|auditd)$" }],
        category: "system.destroy",
        reason: "pkill {args}",
      },
    ],
  },
  killall: {
    rules: [
      {
        when: [{ operand: "^(init|systemd|sshd)$" }],
        category: "system.destroy",
        reason: "killall {args}",
      },
    ],
  },
  sysctl: {
    rules: [
      {
        when: [{ word: "^kernel\\.randomize_va_space=0$" }],
        category: "security.weaken",
        reason: "sysctl turns off address space randomisation",
      },
      {
        when: [{ word: "^kernel\\.(yama\\.ptrace_scope|kptr_restrict|dmesg_restrict)=0$" }],
        category: "security.weaken",
        reason: "sysctl relaxes a kernel protection",
      },
    ],
  },
  iptables: {
    valueOptions: [
      "-t",
      "--table",
      "-A",
      "-D",
      "-I",
      "-R",
      "-N",
      "-E",
      "-P",
      "--policy",
      "-j",
      "-s",
      "-d",
      "-p",
      "-i",
      "-o",
      "--dport",
      "--sport",
      "-m",
    ],
    rules: [
      {
        when: [{ flag: ["-F", "--flush", "-X", "--delete-chain"] }],
        category: "security.weaken",
        reason: "iptables flushes the firewall rules",
      },
      {
        when: [{ option: ["-P", "--policy"], value: "." }, { word: "^ACCEPT$" }],
        category: "security.weaken",
        reason: "iptables sets a chain to accept everything",
      },
    ],
  },
  nft: {
    rules: [
      {
        when: [{ word: "^flush$" }],
        category: "security.weaken",
        reason: "nft flushes the firewall rules",
      },
    ],
  },
  ufw: {
    rules: [
      {
        sub: ["disable|reset"],
        category: "security.weaken",
        reason: "ufw {sub} turns the firewall off",
      },
    ],
  },
  setenforce: {
    rules: [
      {
        when: [{ operand: "^(0|permissive)$" }],
        category: "security.weaken",
        reason: "setenforce 0 turns SELinux enforcement off",
      },
    ],
  },
  "aa-disable": {
    rules: [{ category: "security.weaken", reason: "aa-disable turns an AppArmor profile off" }],
  },
  "aa-complain": {
    rules: [
      { category: "security.weaken", reason: "aa-complain stops enforcing an AppArmor profile" },
    ],
  },
  "aa-teardown": {
    rules: [{ category: "security.weaken", reason: "aa-teardown unloads every AppArmor profile" }],
  },
  spctl: {
    rules: [
      {
        when: [{ flag: ["--master-disable", "--global-disable"] }],
        category: "security.weaken",
        reason: "spctl turns Gatekeeper off",
      },
    ],
  },
  csrutil: {
    rules: [
      {
        sub: ["disable"],
        category: "security.weaken",
        reason: "csrutil disables System Integrity Protection",
      },
    ],
  },
  netsh: {
    rules: [
      {
        when: [{ word: "^advfirewall$" }, { word: "^off$" }],
        category: "security.weaken",
        reason: "netsh turns the Windows firewall off",
      },
    ],
  },
  "set-mppreference": {
    rules: [
      {
        when: [{ word: "^-disable" }],
        category: "security.weaken",
        reason: "Set-MpPreference turns Defender protection off",
      },
    ],
  },
  auditctl: {
    rules: [
      {
        when: [{ flag: "-D" }],
        category: "audit.tamper",
        reason: "auditctl deletes every audit rule",
      },
      {
        when: [{ option: "-e", value: "^0$" }],
        category: "audit.tamper",
        reason: "auditctl disables auditing",
      },
    ],
    valueOptions: ["-e", "-a", "-A", "-w", "-p", "-k", "-F", "-R", "-b", "-f", "-r", "-S"],
  },
  journalctl: {
    rules: [
      {
        when: [{ flag: ["--vacuum-time", "--vacuum-size", "--vacuum-files"] }],
        category: "audit.tamper",
        reason: "journalctl --vacuum deletes system logs",
      },
    ],
  },
  wevtutil: {
    rules: [
      {
        sub: ["cl|clear-log"],
        category: "audit.tamper",
        reason: "wevtutil clears a Windows event log",
      },
    ],
  },
  "clear-eventlog": {
    rules: [{ category: "audit.tamper", reason: "Clear-EventLog deletes Windows event logs" }],
  },
  history: {
    valueOptions: ["-d"],
    rules: [
      {
        when: [{ flag: ["-c", "-d", "-w"] }],
        category: "audit.tamper",
        reason: "history {args} erases shell history",
      },
    ],
  },
  set: {
    rules: [
      {
        when: [{ words: 0 }],
        category: "secret.access",
        reason: "set prints every shell variable, secrets included",
      },
      {
        when: [{ word: "^\\+o$" }, { word: "^history$" }],
        category: "audit.tamper",
        reason: "set +o history stops recording shell history",
      },
    ],
  },
  shopt: {
    rules: [
      {
        when: [{ word: "^-u$" }, { word: "^history$" }],
        category: "audit.tamper",
        reason: "shopt turns shell history off",
      },
    ],
  },
  crontab: {
    valueOptions: ["-u"],
    rules: [
      {
        when: [{ flag: "-r" }],
        category: "data.destroy",
        reason: "crontab -r deletes every scheduled job",
      },
      {
        unless: [{ flag: ["-l", "-r", "-T", "-V"] }],
        category: "security.weaken",
        reason: "crontab installs scheduled jobs (persistence)",
      },
    ],
  },
  at: {
    rules: [
      {
        unless: [{ flag: ["-l", "-c", "-d", "-r"] }],
        category: "security.weaken",
        reason: "at schedules a command (persistence)",
      },
    ],
  },
  useradd: USER_ADMIN,
  adduser: USER_ADMIN,
  usermod: USER_ADMIN,
  userdel: USER_ADMIN,
  deluser: USER_ADMIN,
  groupadd: USER_ADMIN,
  groupmod: USER_ADMIN,
  groupdel: USER_ADMIN,
  addgroup: USER_ADMIN,
  delgroup: USER_ADMIN,
  gpasswd: USER_ADMIN,
  passwd: {
    rules: [
      {
        unless: [{ flag: ["-S", "--status"] }],
        category: "iam.change",
        reason: "passwd changes a password",
      },
    ],
  },
  chpasswd: USER_ADMIN,
  chage: {
    rules: [
      {
        unless: [{ flag: ["-l", "--list"] }],
        category: "iam.change",
        reason: "chage changes password expiry",
      },
    ],
  },
  visudo: {
    rules: [
      {
        unless: [{ flag: ["-c", "--check"] }],
        category: "iam.change",
        reason: "visudo edits sudoers",
      },
    ],
  },
  vipw: USER_ADMIN,
  vigr: USER_ADMIN,
  sysadminctl: USER_ADMIN,
  dscl: {
    rules: [
      {
        when: [{ word: "^-(create|append|delete|passwd|change)$" }],
        category: "iam.change",
        reason: "dscl changes accounts",
      },
    ],
  },
  htpasswd: USER_ADMIN,
  smbpasswd: USER_ADMIN,
  "ssh-copy-id": {
    rules: [{ category: "iam.change", reason: "ssh-copy-id installs a key in authorized_keys" }],
  },
  "ssh-keygen": {
    valueOptions: [
      "-f",
      "-t",
      "-b",
      "-C",
      "-N",
      "-P",
      "-F",
      "-R",
      "-E",
      "-m",
      "-O",
      "-Y",
      "-n",
      "-I",
      "-s",
      "-V",
      "-z",
      "-a",
      "-Z",
    ],
    rules: [
      {
        when: [{ flag: "-y" }],
        category: "secret.access",
        reason: "ssh-keygen -y reads a private key",
      },
      {
        unless: [{ flag: ["-l", "-F", "-R", "-y", "-H", "-Y", "-Q", "-B"] }],
        category: "iam.change",
        reason: "ssh-keygen creates or changes a key",
      },
    ],
  },
  net: {
    rules: [
      {
        sub: ["user|localgroup|group"],
        when: [{ word: "^/(add|delete)$" }],
        category: "iam.change",
        reason: "net {sub} changes accounts",
      },
    ],
  },
  "new-localuser": USER_ADMIN,
  "add-localgroupmember": USER_ADMIN,
  vssadmin: {
    rules: [
      {
        sub: ["delete|resize"],
        category: "backup.destroy",
        reason: "vssadmin {sub} removes shadow copies",
      },
    ],
  },
  wbadmin: {
    rules: [
      { sub: ["delete"], category: "backup.destroy", reason: "wbadmin delete removes backups" },
    ],
  },
  bcdedit: {
    rules: [
      {
        when: [{ word: "recoveryenabled" }, { word: "^no$" }],
        category: "backup.destroy",
        reason: "bcdedit turns Windows recovery off",
      },
    ],
  },
  tmutil: {
    rules: [
      {
        sub: ["delete|deletelocalsnapshots|disable"],
        category: "backup.destroy",
        reason: "tmutil {sub} removes Time Machine backups",
      },
    ],
  },
  restic: {
    rules: [
      {
        sub: ["forget|prune"],
        category: "backup.destroy",
        reason: "restic {sub} deletes backup snapshots",
      },
    ],
  },
  borg: {
    rules: [
      {
        sub: ["delete|prune|compact"],
        category: "backup.destroy",
        reason: "borg {sub} deletes backups",
      },
    ],
  },
  snapper: {
    rules: [
      {
        sub: ["delete|rm"],
        category: "backup.destroy",
        reason: "snapper delete removes snapshots",
      },
    ],
  },
};

/** Environment variables whose values turn off TLS checks or shell history. */
export const ENVIRONMENT_RULES: readonly EnvironmentRule[] = [
  {
    name: "NODE_TLS_REJECT_UNAUTHORIZED",
    value: "^0$",
    category: "security.weaken",
    reason: "NODE_TLS_REJECT_UNAUTHORIZED=0 turns off TLS certificate checks",
  },
  {
    name: "GIT_SSL_NO_VERIFY",
    value: "^(1|true|yes)$",
    category: "security.weaken",
    reason: "GIT_SSL_NO_VERIFY turns off TLS certificate checks for git",
  },
  {
    name: "PYTHONHTTPSVERIFY",
    value: "^0$",
    category: "security.weaken",
    reason: "PYTHONHTTPSVERIFY=0 turns off TLS certificate checks",
  },
  {
    name: "CURL_CA_BUNDLE",
    value: "^$",
    category: "security.weaken",
    reason: "an empty CURL_CA_BUNDLE turns off TLS certificate checks",
  },
  {
    name: "REQUESTS_CA_BUNDLE",
    value: "^$",
    category: "security.weaken",
    reason: "an empty REQUESTS_CA_BUNDLE turns off TLS certificate checks",
  },
  {
    name: "NPM_CONFIG_STRICT_SSL",
    value: "^(false|0)$",
    category: "security.weaken",
    reason: "NPM_CONFIG_STRICT_SSL=false turns off TLS certificate checks",
  },
  {
    name: "HISTFILE",
    value: "^(/dev/null)?$",
    category: "audit.tamper",
    reason: "HISTFILE={value} stops recording shell history",
  },
  {
    name: "HISTSIZE",
    value: "^0?$",
    category: "audit.tamper",
    reason: "HISTSIZE={value} stops recording shell history",
  },
  {
    name: "HISTFILESIZE",
    value: "^0?$",
    category: "audit.tamper",
    reason: "HISTFILESIZE={value} erases shell history",
  },
  {
    name: "SAVEHIST",
    value: "^0?$",
    category: "audit.tamper",
    reason: "SAVEHIST={value} stops recording shell history",
  },
  {
    name: "HISTFILE",
    category: "audit.tamper",
    reason: "unset HISTFILE stops recording shell history",
  },
];
