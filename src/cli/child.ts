import { spawn } from "node:child_process";

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a process to its end with `input` on stdin, collecting what it writes (asynchronously). */
export function runChild(
  command: string,
  args: readonly string[],
  o: { input: string; env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<Finished> {
  const child = spawn(command, args, { env: o.env, cwd: o.cwd, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdin.end(o.input);
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}
