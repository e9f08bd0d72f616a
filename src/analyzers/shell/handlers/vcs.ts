import type { Handler } from "../call.js";
import { rest } from "../call.js";
import { NONE } from "../model.js";
import { hostOf } from "../run.js";

/** A repository address rather than a remote name: `https://h/r.git`, `git@h:r.git`, `ssh://...`. */
function repositoryHost(target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target) || /^[^@/\s]+@[^:/\s]+:/.test(target))
    return hostOf(target);
  return undefined;
}

/** `git remote add NAME URL`: remembered, so a later push to NAME is known to go to URL's host. */
export const gitRemote: Handler = (call) => {
  const [name, url] = rest(call);
  if (name?.literal && url?.literal) call.scope.remotes.set(name.value, url.value);
  return NONE;
};

/** `git push URL` or a remote added in the same script sends the repository to that host. */
export const gitPush: Handler = (call) => {
  const target = rest(call)[0];
  if (!target?.literal) return NONE;
  const url = call.scope.remotes.get(target.value) ?? target.value;
  const host = repositoryHost(url);
  if (host) call.run.egress(host, `git push sends the repository`);
  return NONE;
};
