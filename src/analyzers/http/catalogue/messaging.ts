import type { HttpOperation } from "./types.js";

/**
 * Email, SMS and chat sends: `external.send` (dropped when the host is in
 * `ctx.internalHosts`, e.g. an internal mail relay).
 *
 * Slack's Web API (`chat.postMessage`…) is not external.send: it posts with the organisation's
 * bot token, injected by the gateway, into the organisation's own workspace; whether a channel
 * is shared with another organisation cannot be seen in the request. Incoming webhooks
 * (Slack, Discord, Teams) are different: the URL is the whole credential and can belong to
 * anyone's workspace, so they are external.send unless their host is listed as internal.
 */

const EMAIL = "external.send";
const GMAIL = ["gmail.googleapis.com", "www.googleapis.com"];
const MAILGUN = ["api.mailgun.net", "api.eu.mailgun.net"];
const POSTMARK_PATHS = ["email", "batch", "withTemplate", "batchWithTemplates"];
const SLACK = ["slack.com", "*.slack.com"];
const DISCORD = ["discord.com", "discordapp.com", "canary.discord.com", "ptb.discord.com"];

export const MESSAGING_OPERATIONS: readonly HttpOperation[] = [
  {
    host: "api.sendgrid.com",
    method: "POST",
    path: "/v3/mail/send",
    category: EMAIL,
    reason: "email via SendGrid",
  },
  {
    host: MAILGUN,
    method: "POST",
    path: "/v3/{domain}/{kind}",
    when: [{ from: "param", name: "kind", equals: ["messages", "messages.mime"] }],
    category: EMAIL,
    reason: "email via Mailgun from {domain}",
  },
  {
    host: "api.postmarkapp.com",
    method: "POST",
    path: "/email",
    category: EMAIL,
    reason: "email via Postmark",
  },
  {
    host: "api.postmarkapp.com",
    method: "POST",
    path: "/email/{kind}",
    when: [{ from: "param", name: "kind", equals: POSTMARK_PATHS }],
    category: EMAIL,
    reason: "email via Postmark",
  },
  {
    host: "api.resend.com",
    method: "POST",
    path: "/emails",
    category: EMAIL,
    reason: "email via Resend",
  },
  {
    host: "api.resend.com",
    method: "POST",
    path: "/emails/batch",
    category: EMAIL,
    reason: "email via Resend",
  },
  {
    host: "mandrillapp.com",
    method: "POST",
    path: "/api/1.0/messages/{kind}",
    when: [{ from: "param", name: "kind", matches: "^send" }],
    category: EMAIL,
    reason: "email via Mandrill",
  },
  {
    host: "{dc}.api.mailchimp.com",
    method: "POST",
    path: "/3.0/campaigns/{campaign}/actions/send",
    category: EMAIL,
    reason: "Mailchimp campaign send: {campaign}",
  },
  {
    host: GMAIL,
    method: "POST",
    path: "/gmail/v1/users/{user}/{kind}/send",
    category: EMAIL,
    reason: "email via Gmail",
  },
  {
    host: GMAIL,
    method: "POST",
    path: "/upload/gmail/v1/users/{user}/{kind}/send",
    category: EMAIL,
    reason: "email via Gmail",
  },
  {
    host: "graph.microsoft.com",
    method: "POST",
    path: "/{version}/{scope+}/sendMail",
    category: EMAIL,
    reason: "email via Microsoft Graph",
  },
  {
    host: "graph.microsoft.com",
    method: "POST",
    path: "/{version}/{scope+}/messages/{message}/{kind}",
    when: [{ from: "param", name: "kind", matches: "^(send|reply|replyAll|forward)$" }],
    category: EMAIL,
    reason: "email via Microsoft Graph ({kind})",
  },
  {
    host: "api.intercom.io",
    method: "POST",
    path: "/messages",
    category: EMAIL,
    reason: "Intercom message",
  },

  // SMS, voice, messengers
  {
    host: "api.twilio.com",
    method: "POST",
    path: "/2010-04-01/Accounts/{account}/{kind}",
    when: [{ from: "param", name: "kind", matches: "^(Messages|Calls)(\\.json)?$" }],
    category: EMAIL,
    reason: "Twilio {kind}",
  },
  {
    host: "api.telegram.org",
    method: ["GET", "POST"],
    path: "/bot{token}/{kind}",
    when: [{ from: "param", name: "kind", matches: "^(send|forward|copy)" }],
    category: EMAIL,
    reason: "Telegram {kind}",
  },
  {
    host: "graph.facebook.com",
    method: "POST",
    path: "/{version}/{phone}/messages",
    category: EMAIL,
    reason: "WhatsApp message",
  },

  // Webhooks
  {
    host: "hooks.slack.com",
    method: "POST",
    path: "/{kind}/{path+}",
    when: [{ from: "param", name: "kind", equals: ["services", "workflows", "triggers"] }],
    category: EMAIL,
    reason: "Slack incoming webhook",
  },
  {
    host: DISCORD,
    method: "POST",
    path: "/api/webhooks/{id}/{token}",
    category: EMAIL,
    reason: "Discord webhook",
  },
  {
    host: DISCORD,
    method: "POST",
    path: "/api/{version}/webhooks/{id}/{token}",
    category: EMAIL,
    reason: "Discord webhook",
  },
  {
    host: DISCORD,
    method: "POST",
    path: "/api/{version}/channels/{channel}/messages",
    category: EMAIL,
    reason: "Discord message: channel {channel}",
  },
  {
    host: DISCORD,
    method: "POST",
    path: "/api/channels/{channel}/messages",
    category: EMAIL,
    reason: "Discord message: channel {channel}",
  },
  {
    host: "{tenant+}.webhook.office.com",
    method: "POST",
    path: "/{kind}/{path+}",
    when: [{ from: "param", name: "kind", matches: "^webhook" }],
    category: EMAIL,
    reason: "Microsoft Teams webhook",
  },
  {
    host: "outlook.office.com",
    method: "POST",
    path: "/webhook/{path+}",
    category: EMAIL,
    reason: "Microsoft Teams webhook",
  },

  // Slack Web API: see above. Admin methods change who is in the workspace.
  {
    host: SLACK,
    method: ["GET", "POST"],
    path: "/api/admin.{method}",
    when: [
      {
        from: "param",
        name: "method",
        matches: "^(users|usergroups|roles|teams\\.admins|teams\\.owners)\\.",
      },
    ],
    category: "iam.change",
    reason: "Slack admin.{method}",
  },
  {
    host: SLACK,
    method: ["GET", "POST"],
    path: "/api/admin.conversations.delete",
    category: "data.destroy",
    reason: "Slack channel delete",
  },
  { host: SLACK, method: ["GET", "POST"], path: "/api/{method}", reason: "Slack Web API {method}" },
];
