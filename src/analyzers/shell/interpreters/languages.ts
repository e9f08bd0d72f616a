import type { Lang } from "../kb/index.js";

/**
 * What a call in a one-liner does with its first argument:
 * - `shell`: runs it as a shell command (a list literal is an argv);
 * - `program`: runs a program, its argv in the next list literal (spawn("rm", ["-rf", x]));
 * - `eval`: runs it as code of the same language;
 * - `delete`, `delete-recursive`: removes the path (recursive when the call says so);
 * - `read`, `write`: reads or replaces the file; `open`: either, by its mode argument.
 */
export type Effect =
  | "shell"
  | "program"
  | "eval"
  | "delete"
  | "delete-recursive"
  | "read"
  | "write"
  | "open";

export interface CodeCall {
  /** Regex source matching the call up to (not including) its argument list. */
  readonly call: string;
  readonly effect: Effect;
  /** Only when the code also matches this (`child_process` is imported). */
  readonly requires?: string;
}

export interface LanguageSpec {
  /** Code without any of these words calls nothing of interest: the patterns are skipped. */
  readonly keywords: string;
  readonly calls: readonly CodeCall[];
  /** The code opens a connection or makes a request. */
  readonly network: readonly string[];
  /** The code sends data over it (a POST, a socket write), beyond fetching. */
  readonly sends: readonly string[];
  /** The code wires a process's stdin/stdout to a socket: with `shell` that is a reverse shell. */
  readonly socketShell: readonly string[];
  readonly forkBomb: readonly string[];
  /** Recursive deletes are asked for by an option in the call (`{ recursive: true }`). */
  readonly recursiveOption?: string;
}

/** Python, JavaScript (node, deno, bun), Perl, Ruby and PHP, as one-liners use them. */
export const LANGUAGES: Readonly<Record<Lang, LanguageSpec>> = {
  python: {
    keywords:
      "os|subprocess|commands|pty|exec|eval|compile|shutil|Path|open|system|popen|run|call|check_call|check_output|Popen|getoutput|rmtree|remove|unlink|rmdir|removedirs|truncate|requests|httpx|urllib|urllib3|http|aiohttp|socket|smtplib|ftplib|paramiko|urlopen|fork",
    calls: [
      {
        call: "\\b(?:os|__import__\\(\\s*['\"]os['\"]\\s*\\))\\s*\\.\\s*(?:system|popen)\\s*\\(",
        effect: "shell",
      },
      {
        call: "\\bsubprocess\\s*\\.\\s*(?:run|call|check_call|check_output|Popen|getoutput|getstatusoutput)\\s*\\(",
        effect: "shell",
      },
      { call: "\\b(?:commands\\.getoutput|pty\\.spawn)\\s*\\(", effect: "shell" },
      // Imported names and aliases: `from os import system`, `import subprocess as sp`.
      {
        call: "(?<![.\\w])(?:system|popen)\\s*\\(",
        effect: "shell",
        requires: "\\bfrom\\s+os\\s+import\\b",
      },
      {
        call: "(?<![.\\w])(?:run|call|check_call|check_output|Popen|getoutput)\\s*\\(",
        effect: "shell",
        requires: "\\bfrom\\s+subprocess\\s+import\\b",
      },
      {
        call: "(?<![.\\w])[A-Za-z_]\\w*\\s*\\.\\s*(?:system|popen|run|call|check_call|check_output|Popen)\\s*\\(",
        effect: "shell",
        requires: "\\bimport\\s+(?:os|subprocess)\\s+as\\b",
      },
      {
        call: "(?<![.\\w])rmtree\\s*\\(",
        effect: "delete-recursive",
        requires: "\\bfrom\\s+shutil\\s+import\\b",
      },
      {
        call: "(?<![.\\w])(?:remove|unlink|rmdir|removedirs)\\s*\\(",
        effect: "delete",
        requires: "\\bfrom\\s+os\\s+import\\b",
      },
      { call: "\\bos\\s*\\.\\s*(?:exec|spawn)[lv]p?e?\\s*\\(", effect: "program" },
      { call: "(?<![.\\w])(?:exec|eval|compile)\\s*\\(", effect: "eval" },
      { call: "\\bshutil\\s*\\.\\s*rmtree\\s*\\(", effect: "delete-recursive" },
      { call: "\\bos\\s*\\.\\s*(?:remove|unlink|rmdir|removedirs)\\s*\\(", effect: "delete" },
      {
        call: "\\b(?:pathlib\\.)?Path\\s*\\((?=[^)]*\\)\\s*\\.\\s*(?:unlink|rmdir)\\s*\\()",
        effect: "delete",
      },
      {
        call: "\\b(?:pathlib\\.)?Path\\s*\\((?=[^)]*\\)\\s*\\.\\s*(?:write_text|write_bytes|touch)\\s*\\()",
        effect: "write",
      },
      {
        call: "\\b(?:pathlib\\.)?Path\\s*\\((?=[^)]*\\)\\s*\\.\\s*(?:read_text|read_bytes)\\s*\\()",
        effect: "read",
      },
      { call: "(?<![.\\w])open\\s*\\(", effect: "open" },
      { call: "\\bos\\s*\\.\\s*truncate\\s*\\(", effect: "write" },
    ],
    network: [
      "\\b(?:requests|httpx|urllib3?|urllib\\.request|http\\.client|aiohttp|socket|smtplib|ftplib|paramiko)\\b",
      "\\burlopen\\s*\\(",
    ],
    sends: [
      "\\b(?:requests|httpx)\\s*\\.\\s*(?:post|put|patch)\\s*\\(",
      "\\b(?:data|json|files)\\s*=",
      "['\"](?:POST|PUT|PATCH)['\"]",
      "\\.\\s*send(?:all|to|file)?\\s*\\(",
      "\\bsmtplib\\b",
      "\\bstorbinary\\s*\\(",
    ],
    socketShell: ["\\bos\\s*\\.\\s*dup2\\s*\\(", "\\bpty\\s*\\.\\s*spawn\\s*\\("],
    forkBomb: ["while\\s+(?:True|1)\\s*:\\s*os\\s*\\.\\s*fork\\s*\\("],
  },
  node: {
    keywords:
      "child_process|exec|execSync|spawn|spawnSync|execFile|execFileSync|Deno|Bun|eval|Function|vm|rmSync|rmdirSync|unlinkSync|fs|fsp|promises|fse|rimraf|rm|rmdir|unlink|writeFile|writeFileSync|appendFile|appendFileSync|readFile|readFileSync|createWriteStream|createReadStream|truncate|truncateSync|fetch|http|https|net|tls|dgram|axios|WebSocket|fork|require",
    calls: [
      {
        call: "(?<![\\w$])(?:[\\w$]+\\s*\\.\\s*)?(?:execSync|exec)\\s*\\(",
        effect: "shell",
        requires: "child_process",
      },
      {
        call: "(?<![\\w$])(?:[\\w$]+\\s*\\.\\s*)?(?:spawnSync|spawn|execFileSync|execFile)\\s*\\(",
        effect: "program",
        requires: "child_process",
      },
      { call: "\\bDeno\\s*\\.\\s*run\\s*\\(", effect: "program" },
      { call: "\\bnew\\s+Deno\\s*\\.\\s*Command\\s*\\(", effect: "program" },
      { call: "\\bBun\\s*\\.\\s*(?:spawn|spawnSync)\\s*\\(", effect: "program" },
      { call: "(?<![\\w$.])(?:eval|Function)\\s*\\(", effect: "eval" },
      { call: "\\bnew\\s+Function\\s*\\(", effect: "eval" },
      {
        call: "\\bvm\\s*\\.\\s*(?:runInThisContext|runInNewContext|runInContext)\\s*\\(",
        effect: "eval",
      },
      { call: "(?:\\.\\s*|(?<![\\w$.]))(?:rmSync|rmdirSync|unlinkSync)\\s*\\(", effect: "delete" },
      {
        call: "(?:\\b(?:fs|fsp|promises|fse)|\\))\\s*\\.\\s*(?:rm|rmdir|unlink)\\s*\\(",
        effect: "delete",
      },
      {
        call: "(?:\\brimraf|\\brequire\\(\\s*['\"]rimraf['\"]\\s*\\))(?:\\s*\\.\\s*sync)?\\s*\\(",
        effect: "delete-recursive",
      },
      {
        call: "\\bfse\\s*\\.\\s*(?:removeSync|remove|emptyDirSync|emptyDir)\\s*\\(",
        effect: "delete-recursive",
      },
      { call: "\\bDeno\\s*\\.\\s*(?:removeSync|remove)\\s*\\(", effect: "delete" },
      {
        call: "(?:\\b(?:fs|fsp|promises|fse)|\\))\\s*\\.\\s*(?:writeFileSync|writeFile|appendFileSync|appendFile|createWriteStream|truncateSync|truncate)\\s*\\(",
        effect: "write",
      },
      { call: "\\bDeno\\s*\\.\\s*(?:writeTextFile|writeFile)(?:Sync)?\\s*\\(", effect: "write" },
      {
        call: "(?:\\b(?:fs|fsp|promises|fse)|\\))\\s*\\.\\s*(?:readFileSync|readFile|createReadStream)\\s*\\(",
        effect: "read",
      },
      { call: "\\bDeno\\s*\\.\\s*(?:readTextFile|readFile)(?:Sync)?\\s*\\(", effect: "read" },
    ],
    network: [
      "\\bfetch\\s*\\(",
      "\\b(?:https?|net|tls|dgram)\\s*\\.\\s*(?:request|get|connect|createConnection|Socket)\\b",
      "\\baxios\\b",
      "\\bWebSocket\\s*\\(",
      "require\\(\\s*['\"](?:https?|net|tls)['\"]\\s*\\)",
    ],
    sends: [
      "method\\s*:\\s*['\"](?:POST|PUT|PATCH)['\"]",
      "\\bbody\\s*:",
      "\\baxios\\s*\\.\\s*(?:post|put|patch)\\s*\\(",
      "\\.\\s*(?:write|end)\\s*\\(\\s*[^)\\s]",
      "\\bsend\\s*\\(",
    ],
    socketShell: [
      "\\.\\s*pipe\\s*\\(\\s*[\\w$]+\\s*\\.\\s*stdin\\s*\\)",
      "stdio\\s*:\\s*\\[\\s*[\\w$]+\\s*,",
    ],
    forkBomb: ["while\\s*\\(\\s*(?:true|1)\\s*\\)\\s*\\{?\\s*(?:[\\w$]+\\s*\\.\\s*)?fork\\s*\\("],
    recursiveOption: "recursive\\s*:\\s*true",
  },
  perl: {
    keywords:
      "system|exec|qx|eval|rmtree|remove_tree|unlink|rmdir|LWP|HTTP|IO|Net|Socket|socket|fork|open",
    calls: [
      { call: "(?<![\\w$>])(?:system|exec)\\b\\s*\\(?", effect: "shell" },
      { call: "\\bqx\\s*(?=[{(\\[/|!'\"])", effect: "shell" },
      { call: "(?<![\\w$])eval\\s*\\(?(?=\\s*['\"])", effect: "eval" },
      { call: "\\b(?:rmtree|remove_tree)\\b\\s*\\(?", effect: "delete-recursive" },
      { call: "(?<![\\w$])(?:unlink|rmdir)\\b\\s*\\(?", effect: "delete" },
    ],
    network: [
      "\\b(?:LWP|HTTP::Tiny|HTTP::Request|IO::Socket|Net::HTTP|Net::FTP|Net::SMTP|Socket)\\b",
      "\\bsocket\\s*\\(",
    ],
    sends: [
      "->\\s*(?:post|put|request)\\s*\\(",
      "\\bPOST\\b",
      "\\b(?:send|syswrite)\\s*\\(",
      "\\bprint\\s+\\$\\w*sock",
    ],
    socketShell: [
      "open\\s*\\(\\s*STD(?:IN|OUT|ERR)\\s*,\\s*['\"]>&",
      "\\bIO::Socket\\b[\\s\\S]*\\bexec\\b",
    ],
    forkBomb: [
      "fork\\s+while\\s+fork",
      "while\\s*\\(\\s*1\\s*\\)\\s*\\{\\s*fork",
      "fork\\s+until\\s+0",
    ],
  },
  ruby: {
    keywords:
      "system|exec|spawn|x|IO|Open3|eval|instance_eval|class_eval|FileUtils|File|Dir|Net|TCPSocket|UDPSocket|HTTParty|Faraday|RestClient|URI|open|fork",
    calls: [
      {
        call: "(?<![\\w.])(?:Kernel\\s*\\.\\s*)?(?:system|exec|spawn)\\b\\s*\\(?",
        effect: "shell",
      },
      { call: "%x\\s*(?=[{(\\[|!])", effect: "shell" },
      {
        call: "\\b(?:IO\\s*\\.\\s*popen|Open3\\s*\\.\\s*(?:capture2e?|capture3|popen2e?|popen3))\\s*\\(",
        effect: "shell",
      },
      { call: "(?<![\\w.])(?:eval|instance_eval|class_eval)\\s*\\(?(?=\\s*['\"])", effect: "eval" },
      {
        call: "\\bFileUtils\\s*\\.\\s*(?:rm_rf|rm_r|remove_dir|remove_entry|remove_entry_secure|rmtree)\\b\\s*\\(?",
        effect: "delete-recursive",
      },
      {
        call: "\\bFileUtils\\s*\\.\\s*(?:rm|rm_f|remove|remove_file|rmdir)\\b\\s*\\(?",
        effect: "delete",
      },
      { call: "\\b(?:File|Dir)\\s*\\.\\s*(?:delete|unlink|rmdir)\\b\\s*\\(?", effect: "delete" },
      { call: "\\b(?:File|IO)\\s*\\.\\s*write\\s*\\(?", effect: "write" },
      { call: "\\b(?:File|IO)\\s*\\.\\s*(?:read|readlines|binread)\\b\\s*\\(?", effect: "read" },
      { call: "\\bFile\\s*\\.\\s*open\\s*\\(?", effect: "open" },
    ],
    network: [
      "\\b(?:Net::HTTP|TCPSocket|UDPSocket|HTTParty|Faraday|RestClient|URI\\.open|open-uri)\\b",
    ],
    sends: [
      "\\bNet::HTTP(?:::Post|::Put|\\s*\\.\\s*post)",
      "\\.\\s*(?:post|put|patch)\\s*\\(",
      "\\.\\s*(?:puts|write|send)\\s*\\(",
    ],
    socketShell: ["\\b(?:TCPSocket|UDPSocket)\\b[\\s\\S]*\\b(?:exec|spawn|system)\\b.*(?:sh|bash)"],
    forkBomb: ["loop\\s*\\{\\s*fork", "while\\s+true\\s*(?:do)?\\s*;?\\s*fork"],
  },
  php: {
    keywords:
      "system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|eval|assert|create_function|unlink|rmdir|file_put_contents|file_get_contents|readfile|file|highlight_file|show_source|fopen|curl_init|fsockopen|stream_socket_client|socket_create|pcntl_fork",
    calls: [
      {
        call: "(?<![\\w>$:])(?:system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec)\\s*\\(",
        effect: "shell",
      },
      { call: "(?<![\\w>$:])(?:eval|assert|create_function)\\s*\\(", effect: "eval" },
      { call: "(?<![\\w>$:])(?:unlink|rmdir)\\s*\\(", effect: "delete" },
      { call: "(?<![\\w>$:])file_put_contents\\s*\\(", effect: "write" },
      {
        call: "(?<![\\w>$:])(?:file_get_contents|readfile|file|highlight_file|show_source)\\s*\\(",
        effect: "read",
      },
      { call: "(?<![\\w>$:])fopen\\s*\\(", effect: "open" },
    ],
    network: [
      "\\b(?:curl_init|fsockopen|stream_socket_client|socket_create)\\s*\\(",
      "file_get_contents\\s*\\(\\s*['\"]https?:",
    ],
    sends: [
      "CURLOPT_POST",
      "['\"]method['\"]\\s*=>\\s*['\"]POST",
      "\\b(?:fwrite|fputs|socket_write|socket_send)\\s*\\(",
    ],
    socketShell: ["\\bfsockopen\\b[\\s\\S]*\\b(?:exec|proc_open|system|shell_exec|passthru)\\b"],
    forkBomb: ["while\\s*\\(\\s*(?:1|true)\\s*\\)\\s*\\{?\\s*pcntl_fork"],
  },
};

/** A shell started interactively (the other half of a reverse shell). */
export const INTERACTIVE_SHELL =
  "(?:^|/)(?:ba|z|da|k)?sh(?:\\s+-i)?$|\\bcmd(?:\\.exe)?$|\\bpowershell\\b";
