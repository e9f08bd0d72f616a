/** The control plane's JSON API, with the approver's secret on every call. */

export class Unauthorized extends Error {}

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export class Api {
  /**
   * @param {string} secret the approver secret (rla_...)
   * @param {(message: string) => void} onUnauthorized called once a call is refused with 401
   */
  constructor(secret, onUnauthorized) {
    this.secret = secret;
    this.onUnauthorized = onUnauthorized;
    /** Server clock minus ours (ms), from the Date header, so countdowns use the server's time. */
    this.skew = 0;
  }

  get headers() {
    return { authorization: `Bearer ${this.secret}` };
  }

  get(path) {
    return this.call("GET", path);
  }

  post(path, body = {}) {
    return this.call("POST", path, body);
  }

  /**
   * Resolves with the JSON body of a 2xx answer. A 409 (a refused vote) resolves too, as
   * `{ refused: true, ...body }`, for the caller to show. 401 signs out; anything else throws.
   */
  async call(method, path, body) {
    const res = await fetch(path, {
      method,
      headers: {
        ...this.headers,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      cache: "no-store",
    });
    this.noteClock(res);
    const json = await res.json().catch(() => ({}));
    if (res.status === 401) {
      this.onUnauthorized(json.error ?? "the approver secret was refused");
      throw new Unauthorized(json.error);
    }
    if (res.status === 409) return { refused: true, ...json };
    if (!res.ok) throw new ApiError(res.status, json);
    return json;
  }

  noteClock(res) {
    const date = Date.parse(res.headers.get("date") ?? "");
    if (Number.isNaN(date)) return;
    const skew = date - Date.now();
    // The header has whole seconds: only a real difference is worth correcting.
    this.skew = Math.abs(skew) > 2000 ? skew : 0;
  }

  now() {
    return Date.now() + this.skew;
  }
}
