import { describe } from "vitest";
import { check, FORM } from "../test-support/table.js";

describe("payments", () => {
  check([
    {
      r: "POST https://api.stripe.com/v1/refunds",
      body: "charge=ch_1&amount=500",
      headers: FORM,
      cats: ["money.move"],
      reason: "Stripe refund",
    },
    {
      r: "POST https://api.stripe.com/v1/payouts",
      body: "amount=100&currency=usd",
      headers: FORM,
      cats: ["money.move"],
      reason: "Stripe payout",
    },
    {
      r: "POST https://api.stripe.com/v1/transfers",
      body: "amount=100",
      headers: FORM,
      cats: ["money.move"],
    },
    {
      r: "POST https://api.stripe.com/v1/charges",
      body: "amount=100",
      headers: FORM,
      cats: ["money.move"],
    },
    {
      r: "POST https://api.stripe.com/v1/charges/ch_1/capture",
      cats: ["money.move"],
      resource: "stripe:charges/ch_1",
    },
    {
      r: "POST https://api.stripe.com/v1/payment_intents",
      body: "amount=100&confirm=true",
      headers: FORM,
      cats: ["money.move"],
    },
    {
      r: "POST https://api.stripe.com/v1/payment_intents/pi_1/confirm",
      cats: ["money.move"],
      reason: "Stripe payment confirm: pi_1",
    },
    {
      r: "DELETE https://api.stripe.com/v1/customers/cus_9",
      cats: ["data.destroy"],
      reason: "Stripe customer delete: cus_9",
      resource: "stripe:customers/cus_9",
    },
    {
      r: "POST https://api-m.paypal.com/v2/payments/captures/CAP1/refund",
      cats: ["money.move"],
      reason: "PayPal refund: CAP1",
    },
    { r: "POST https://connect.squareup.com/v2/refunds", body: {}, cats: ["money.move"] },
    {
      r: "POST https://api.wise.com/v3/profiles/1/transfers/2/payments",
      body: {},
      cats: ["money.move"],
    },
    // Reads and ordinary writes move nothing.
    { r: "GET https://api.stripe.com/v1/customers/cus_9", cats: [] },
    { r: "GET https://api.stripe.com/v1/charges?limit=10", cats: [] },
    {
      r: "POST https://api.stripe.com/v1/customers",
      body: "email=a%40b.c",
      headers: FORM,
      cats: [],
    },
    { r: "POST https://api.stripe.com/v1/payment_intents/pi_1/cancel", cats: [] },
  ]);
});
