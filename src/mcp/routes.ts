import { UriTemplate } from "@modelcontextprotocol/sdk/shared/uriTemplate.js";

/**
 * Several upstreams behind one gateway: tools and prompts are namespaced `<server>__<name>`,
 * resources keep their URIs and are routed by where they were listed. Cursors of a merged
 * list name the upstream they continue and that upstream's own cursor.
 */
export const SEPARATOR = "__";

export interface Named {
  index: number;
  name: string;
}

export class Routes {
  private readonly owners = new Map<string, number>();
  private templates: { index: number; template: UriTemplate }[] = [];

  /** `names`: the upstreams' names, in order; a single upstream is not namespaced. */
  constructor(readonly names: readonly string[]) {}

  get namespaced(): boolean {
    return this.names.length > 1;
  }

  /** The name the agent sees for upstream `index`'s tool or prompt `name`. */
  outward(index: number, name: string): string {
    return this.namespaced ? `${this.names[index]}${SEPARATOR}${name}` : name;
  }

  /** Which upstream a namespaced tool or prompt name belongs to, and its own name there. */
  inward(name: string): Named | undefined {
    if (!this.namespaced) return { index: 0, name };
    const cut = name.indexOf(SEPARATOR);
    if (cut <= 0) return undefined;
    const index = this.names.indexOf(name.slice(0, cut));
    return index < 0 ? undefined : { index, name: name.slice(cut + SEPARATOR.length) };
  }

  /** Remembers where a listed resource or template came from. */
  sawResource(index: number, uri: string): void {
    this.owners.set(uri, index);
  }

  sawTemplates(index: number, templates: readonly string[]): void {
    this.templates = this.templates.filter((t) => t.index !== index);
    for (const t of templates) {
      try {
        this.templates.push({ index, template: new UriTemplate(t) });
      } catch {
        // A template the SDK cannot parse routes nothing.
      }
    }
  }

  /** A list changed upstream: what it listed before is forgotten. */
  forget(index: number): void {
    for (const [uri, i] of this.owners) if (i === index) this.owners.delete(uri);
  }

  /** The upstream serving a resource URI; `withResources`: upstreams that have resources. */
  resource(uri: string, withResources: readonly number[]): number | undefined {
    if (!this.namespaced) return 0;
    const owner = this.owners.get(uri);
    if (owner !== undefined) return owner;
    for (const t of this.templates) if (t.template.match(uri)) return t.index;
    return withResources.length === 1 ? withResources[0] : undefined;
  }

  cursor(index: number, inner: string | undefined): string {
    return Buffer.from(JSON.stringify(inner === undefined ? [index] : [index, inner])).toString(
      "base64url",
    );
  }

  /** Where a merged list continues; undefined for a cursor the gateway did not make. */
  resume(cursor: unknown): { index: number; inner?: string } | undefined {
    if (cursor === undefined) return { index: 0 };
    if (typeof cursor !== "string") return undefined;
    try {
      const v = JSON.parse(Buffer.from(cursor, "base64url").toString()) as unknown;
      if (!Array.isArray(v) || typeof v[0] !== "number" || v[0] < 0 || v[0] >= this.names.length)
        return undefined;
      return typeof v[1] === "string" ? { index: v[0], inner: v[1] } : { index: v[0] };
    } catch {
      return undefined;
    }
  }
}
