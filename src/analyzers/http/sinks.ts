/**
 * Services whose purpose is to receive data from anywhere: request catchers, out-of-band
 * interaction servers, paste and file drops, public tunnels. Data sent there is
 * `network.egress` whatever the allowlist says; capture services count even without a body,
 * since the request itself (its path, its subdomain) is the message.
 */
export interface Sink {
  /** Host glob. */
  host: string;
  kind: "capture" | "paste" | "tunnel";
}

export const SINKS: readonly Sink[] = [
  { host: "webhook.site", kind: "capture" },
  { host: "*.webhook.site", kind: "capture" },
  { host: "requestbin.com", kind: "capture" },
  { host: "*.requestbin.com", kind: "capture" },
  { host: "*.requestbin.net", kind: "capture" },
  { host: "*.pipedream.net", kind: "capture" },
  { host: "*.m.pipedream.net", kind: "capture" },
  { host: "hookbin.com", kind: "capture" },
  { host: "*.requestcatcher.com", kind: "capture" },
  { host: "*.beeceptor.com", kind: "capture" },
  { host: "*.oastify.com", kind: "capture" },
  { host: "*.burpcollaborator.net", kind: "capture" },
  { host: "*.interact.sh", kind: "capture" },
  { host: "*.oast.fun", kind: "capture" },
  { host: "*.oast.live", kind: "capture" },
  { host: "*.oast.me", kind: "capture" },
  { host: "*.oast.online", kind: "capture" },
  { host: "*.oast.pro", kind: "capture" },
  { host: "*.oast.site", kind: "capture" },
  { host: "*.dnslog.cn", kind: "capture" },
  { host: "*.ceye.io", kind: "capture" },
  { host: "canarytokens.com", kind: "capture" },
  { host: "pastebin.com", kind: "paste" },
  { host: "paste.ee", kind: "paste" },
  { host: "hastebin.com", kind: "paste" },
  { host: "dpaste.com", kind: "paste" },
  { host: "dpaste.org", kind: "paste" },
  { host: "ghostbin.co", kind: "paste" },
  { host: "termbin.com", kind: "paste" },
  { host: "transfer.sh", kind: "paste" },
  { host: "0x0.st", kind: "paste" },
  { host: "file.io", kind: "paste" },
  { host: "temp.sh", kind: "paste" },
  { host: "bashupload.com", kind: "paste" },
  { host: "catbox.moe", kind: "paste" },
  { host: "litterbox.catbox.moe", kind: "paste" },
  { host: "*.gofile.io", kind: "paste" },
  { host: "*.ngrok.io", kind: "tunnel" },
  { host: "*.ngrok-free.app", kind: "tunnel" },
  { host: "*.ngrok.app", kind: "tunnel" },
  { host: "*.ngrok.dev", kind: "tunnel" },
  { host: "*.trycloudflare.com", kind: "tunnel" },
  { host: "*.loca.lt", kind: "tunnel" },
  { host: "*.serveo.net", kind: "tunnel" },
  { host: "*.localhost.run", kind: "tunnel" },
  { host: "*.lhr.life", kind: "tunnel" },
];
