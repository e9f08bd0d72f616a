import { describe, expect, it } from "vitest";
import { run } from "../test-support/run.js";
import { check } from "../test-support/table.js";

describe("messages", () => {
  check([
    {
      r: "POST https://api.sendgrid.com/v3/mail/send",
      body: { personalizations: [] },
      cats: ["external.send"],
    },
    {
      r: "POST https://api.mailgun.net/v3/mg.acme.com/messages",
      body: "to=a%40b.c&text=hi",
      cats: ["external.send"],
    },
    { r: "POST https://api.postmarkapp.com/email", body: { To: "a@b.c" }, cats: ["external.send"] },
    { r: "POST https://api.resend.com/emails", body: { to: "a@b.c" }, cats: ["external.send"] },
    {
      r: "POST https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json",
      body: "To=%2B15551234&Body=hi",
      cats: ["external.send"],
    },
    {
      r: "POST https://gmail.googleapis.com/gmail/v1/users/me/messages/send",
      body: { raw: "eA" },
      cats: ["external.send"],
    },
    {
      r: "POST https://discord.com/api/webhooks/123/abc",
      body: { content: "hi" },
      cats: ["external.send"],
    },
    {
      r: "POST https://acme.webhook.office.com/webhookb2/abc/IncomingWebhook/def",
      body: { text: "hi" },
      cats: ["external.send"],
    },
    {
      r: "POST https://hooks.slack.com/services/T000/B000/XXXX",
      body: { text: "hi" },
      cats: ["external.send"],
    },
    {
      r: "POST https://api.telegram.org/bot123:abc/sendMessage",
      body: { chat_id: 1, text: "hi" },
      cats: ["external.send"],
    },
    // Slack's Web API posts into the organisation's own workspace.
    {
      r: "POST https://slack.com/api/chat.postMessage",
      body: { channel: "C1", text: "deployed" },
      cats: [],
    },
    { r: "GET https://slack.com/api/conversations.history?channel=C1", cats: [] },
    {
      r: "POST https://slack.com/api/admin.users.setAdmin",
      body: { user_id: "U1" },
      cats: ["iam.change"],
    },
  ]);
  it("is not external.send to a host inside the organisation", () => {
    const facts = run("POST https://api.sendgrid.com/v3/mail/send", {
      body: { personalizations: [] },
      ctx: { internalHosts: ["api.sendgrid.com"] },
    });
    expect(facts.categories).toEqual([]);
  });
});
