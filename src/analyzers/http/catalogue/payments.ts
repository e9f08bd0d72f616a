import type { HttpOperation } from "./types.js";

/** Payment APIs: what moves money. Reads and ordinary object updates are absent, so allowed. */

const STRIPE = "api.stripe.com";
const PAYPAL = ["api-m.paypal.com", "api-m.sandbox.paypal.com", "api.paypal.com"];

export const PAYMENT_OPERATIONS: readonly HttpOperation[] = [
  // Stripe (form-encoded bodies)
  {
    host: STRIPE,
    method: "POST",
    path: "/v1/refunds",
    category: "money.move",
    reason: "Stripe refund",
  },
  {
    host: STRIPE,
    method: "POST",
    path: "/v1/charges/{charge}/{action}",
    when: [{ from: "param", name: "action", equals: ["refund", "refunds", "capture"] }],
    category: "money.move",
    reason: "Stripe charge {action}: {charge}",
    resource: "stripe:charges/{charge}",
  },
  {
    host: STRIPE,
    method: "POST",
    path: "/v1/charges",
    category: "money.move",
    reason: "Stripe charge",
  },
  {
    host: STRIPE,
    method: "POST",
    path: "/v1/payouts",
    category: "money.move",
    reason: "Stripe payout",
  },
  {
    host: STRIPE,
    method: "POST",
    path: "/v1/transfers",
    category: "money.move",
    reason: "Stripe transfer",
  },
  {
    host: STRIPE,
    method: "POST",
    path: "/v1/transfers/{transfer}/reversals",
    category: "money.move",
    reason: "Stripe transfer reversal: {transfer}",
  },
  {
    host: STRIPE,
    method: "POST",
    path: "/v1/payment_intents",
    category: "money.move",
    reason: "Stripe payment intent",
  },
  {
    host: STRIPE,
    method: "POST",
    path: "/v1/payment_intents/{intent}/{action}",
    when: [{ from: "param", name: "action", equals: ["confirm", "capture"] }],
    category: "money.move",
    reason: "Stripe payment {action}: {intent}",
    resource: "stripe:payment_intents/{intent}",
  },
  {
    host: STRIPE,
    method: "POST",
    path: "/v1/invoices/{invoice}/pay",
    category: "money.move",
    reason: "Stripe invoice payment: {invoice}",
  },
  {
    host: STRIPE,
    method: "POST",
    path: "/v1/credit_notes",
    category: "money.move",
    reason: "Stripe credit note",
  },
  {
    host: STRIPE,
    method: "POST",
    path: "/v1/topups",
    category: "money.move",
    reason: "Stripe top-up",
  },
  {
    host: STRIPE,
    method: "POST",
    path: "/v1/application_fees/{fee}/refunds",
    category: "money.move",
    reason: "Stripe application fee refund",
  },
  {
    host: STRIPE,
    method: "POST",
    path: "/v1/customers/{customer}/balance_transactions",
    category: "money.move",
    reason: "Stripe customer balance adjustment: {customer}",
  },
  {
    host: STRIPE,
    method: "POST",
    path: "/v1/treasury/{kind}",
    when: [{ from: "param", name: "kind", equals: ["outbound_payments", "outbound_transfers"] }],
    category: "money.move",
    reason: "Stripe Treasury {kind}",
  },
  {
    host: STRIPE,
    method: "DELETE",
    path: "/v1/customers/{customer}",
    category: "data.destroy",
    reason: "Stripe customer delete: {customer}",
    resource: "stripe:customers/{customer}",
  },
  {
    host: STRIPE,
    method: "DELETE",
    path: "/v1/accounts/{account}",
    category: "data.destroy",
    reason: "Stripe connected account delete: {account}",
    resource: "stripe:accounts/{account}",
  },

  // PayPal
  {
    host: PAYPAL,
    method: "POST",
    path: "/v2/payments/captures/{capture}/refund",
    category: "money.move",
    reason: "PayPal refund: {capture}",
  },
  {
    host: PAYPAL,
    method: "POST",
    path: "/v2/payments/authorizations/{authorization}/capture",
    category: "money.move",
    reason: "PayPal capture: {authorization}",
  },
  {
    host: PAYPAL,
    method: "POST",
    path: "/v2/checkout/orders/{order}/capture",
    category: "money.move",
    reason: "PayPal order capture: {order}",
  },
  {
    host: PAYPAL,
    method: "POST",
    path: "/v1/payments/payouts",
    category: "money.move",
    reason: "PayPal payout",
  },

  // Square, Wise, Plaid
  {
    host: "connect.squareup.com",
    method: "POST",
    path: "/v2/{kind}",
    when: [{ from: "param", name: "kind", equals: ["payments", "refunds"] }],
    category: "money.move",
    reason: "Square {kind}",
  },
  {
    host: ["api.transferwise.com", "api.wise.com"],
    method: "POST",
    path: "/v3/profiles/{profile}/transfers/{transfer}/payments",
    category: "money.move",
    reason: "Wise transfer funding: {transfer}",
  },
  {
    host: ["api.transferwise.com", "api.wise.com"],
    method: "POST",
    path: "/v1/transfers",
    category: "money.move",
    reason: "Wise transfer",
  },
  {
    host: "production.plaid.com",
    method: "POST",
    path: "/transfer/create",
    category: "money.move",
    reason: "Plaid transfer",
  },
];
