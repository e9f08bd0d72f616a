/**
 * Paths as the red lines see them: resolve what a command or tool names into an absolute path,
 * classify it (sensitive files, protected directories, workspace, build output, devices) and
 * turn a read, write or delete of it into facts. The catalogues are data in catalogue.ts.
 */
export type { SensitivePath } from "./catalogue.js";
export {
  classifyPath,
  isArtefact,
  type PathClass,
  type Protected,
  workspaceOf,
} from "./classify.js";
export { type PathOp, type PathUse, pathFacts } from "./facts.js";
export {
  baseName,
  isInside,
  type PathContext,
  parentOf,
  resolvePath,
  UNKNOWN_CWD,
  UNKNOWN_PARENT,
} from "./resolve.js";
