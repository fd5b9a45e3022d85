import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { KnownBlock, ModalView } from "@slack/types";
import type { DcvInstruction } from "../src/domain/dcv.js";
import { certificateEnd, coverageEnd } from "../src/domain/lifetime.js";
import { moneyText, quote } from "../src/domain/money.js";
import type { ProviderCatalogue } from "../src/domain/product.js";
import type { Finding } from "../src/domain/readiness.js";
import { SANDBOX_PRODUCTS, SANDBOX_SERVER_TYPES } from "../src/providers/sandbox/catalogue.js";
import { expiryAlertMessage } from "../src/views/alert-message.js";
import { ctSightingMessage } from "../src/views/ct-sighting.js";
import { type DetailsOrder, orderDetailsView } from "../src/views/order-details.js";
import { type OrderSummary, orderMessage } from "../src/views/order-message.js";
import { type ContactChoice, orderStep1View, orderStep2View } from "../src/views/order-modal.js";
import {
  type ThreadChange,
  type ThreadOrder,
  threadReplyMessage,
  threadReplyText,
} from "../src/views/order-thread.js";

/**
 * The README's look at certdesk: one link per view that opens the real view in Slack's Block Kit
 * Builder. The views come from the view builders in src/views/ fed with plain example data (the
 * built-in sandbox provider's real catalogue, a client "Acme Ltd", order SSL-1042 for
 * www.example.com, fixed dates), so the links show what the code renders today. No Block Kit
 * renderer exists offline, so there are no pictures to go stale.
 *
 * `npx tsx scripts/block-kit-links.ts` rewrites the README between the two marker lines;
 * `--check` exits 1 when the README differs. test/scripts/block-kit-links.test.ts fails when the
 * committed README differs from what this writes, so CI (npm test) keeps the links current.
 */

export const README = fileURLToPath(new URL("../README.md", import.meta.url));
export const START_MARKER = "<!-- block-kit-links:start -->";
export const END_MARKER = "<!-- block-kit-links:end -->";
export const BUILDER_URL = "https://app.slack.com/block-kit-builder#";

/** One view as the README lists it. `payload` is `{blocks}` for a message, the view itself for a modal. */
export interface ExampleView {
  /** The link's reference label in the README: `[…][view-order-form]`. */
  id: string;
  title: string;
  /** One line for people: where they meet this view and what it shows. */
  caption: string;
  surface: "modal" | "message";
  payload: ModalView | { blocks: KnownBlock[] };
  /** A message's fallback text (notifications, screen readers); the builder takes only the blocks. */
  text?: string;
}

// ---- The example: order SSL-1042, placed 27 Nov 2026 at noon UTC. No clock is read.

const PLACED_AT = new Date("2026-11-27T12:00:00Z");
/** The sandbox issues SANDBOX_APPROVAL_SECONDS (60) after placement. */
const ISSUED_AT = new Date("2026-11-27T12:01:00Z");
const PERIOD_MONTHS = 12;

const CLIENT = { id: 7, name: "Acme Ltd" };
const DOMAIN = "www.example.com";
const ORDER_ID = 42;
const REFERENCE = "SSL-1042";
const PROVIDER_ORDER_ID = "SBX-17";
const REQUESTER = "U0ALICE";

const SANDBOX: ProviderCatalogue = {
  provider: { id: "sandbox", displayName: "Sandbox", dcvMethods: ["email", "http", "dns"] },
  products: [...SANDBOX_PRODUCTS],
  serverTypes: [...SANDBOX_SERVER_TYPES],
  state: "ready",
};
const PRODUCT = SANDBOX_PRODUCTS[0] ?? failure("the sandbox catalogue is empty");
const PRICE = moneyText(quote(PRODUCT, { periodMonths: PERIOD_MONTHS }) ?? failure("no sandbox price"));

/** What the sandbox asks to publish for DNS validation of order SBX-17 (src/providers/sandbox). */
const DCV: DcvInstruction[] = [
  {
    domain: DOMAIN,
    method: "dns",
    dnsRecord: { name: "_sandbox17.www.example.com", type: "CNAME", value: "sandbox17.dcv.sandbox.certdesk" },
  },
];

/** "Will it issue?" with nothing in the way (the form shows only that). */
const READY: Finding[] = [
  { domain: DOMAIN, check: "resolves", severity: "ok", text: "www.example.com resolves." },
  { domain: DOMAIN, check: "caa", severity: "ok", text: "No CAA record restricts issuance." },
];

const CONTACTS: ContactChoice[] = [
  {
    id: 3,
    firstName: "Jane",
    lastName: "Doe",
    email: "jane@acme.example",
    phone: "+44 20 7946 0001",
    title: "CTO",
    isDefault: true,
  },
  {
    id: 4,
    firstName: "Raj",
    lastName: "Patel",
    email: "raj@acme.example",
    phone: "+44 20 7946 0002",
    title: "IT manager",
    isDefault: false,
  },
];

const PENDING_ORDER: OrderSummary = {
  id: ORDER_ID,
  reference: REFERENCE,
  clientName: CLIENT.name,
  primaryDomain: DOMAIN,
  sans: [],
  productName: PRODUCT.name,
  providerName: SANDBOX.provider.displayName,
  periodMonths: PERIOD_MONTHS,
  dcvMethod: "dns",
  approverEmail: null,
  requestedBy: REQUESTER,
  approvedBy: null,
  status: "pending",
  notAfter: null,
  coverageEndsAt: null,
  quotedPrice: PRICE,
  cost: PRICE,
};

const THREAD_ORDER: ThreadOrder = {
  id: ORDER_ID,
  reference: REFERENCE,
  status: "pending",
  dcvMethod: "dns",
  approverEmail: null,
  providerName: SANDBOX.provider.displayName,
  dcvInstructions: DCV,
  notAfter: null,
  requestedBy: REQUESTER,
};

/** The subscription's end (one year) and the certificate's (the CA/Browser Forum maximum less a day). */
function subscriptionDates(): { coverageEndsAt: Date; notAfter: Date } {
  const coverageEndsAt = coverageEnd(ISSUED_AT, PERIOD_MONTHS);
  return { coverageEndsAt, notAfter: certificateEnd(ISSUED_AT, coverageEndsAt) };
}

const issuedOrder = ({ notAfter, coverageEndsAt }: ReturnType<typeof subscriptionDates>): DetailsOrder => ({
  reference: REFERENCE,
  status: "issued",
  primaryDomain: DOMAIN,
  sans: [],
  productName: PRODUCT.name,
  periodMonths: PERIOD_MONTHS,
  dcvMethod: "dns",
  approverEmail: null,
  providerOrderId: PROVIDER_ORDER_ID,
  requestedBy: REQUESTER,
  approvedBy: null,
  createdAt: PLACED_AT,
  notBefore: ISSUED_AT,
  notAfter,
  coverageEndsAt,
  failureReason: null,
  statusDetail: null,
  dcvInstructions: DCV,
  // Only the Certificate tab shows the PEM; the Overview shown here does not.
  certificate: null,
  keyHeld: true,
  quotedPrice: PRICE,
  cost: PRICE,
});

/** A message as the README links it: its blocks in the link, its fallback text beside. */
function asLink(message: { text: string; blocks: KnownBlock[] }): Pick<ExampleView, "payload" | "text"> {
  return { payload: { blocks: message.blocks }, text: message.text };
}

function failure(message: string): never {
  throw new Error(`block-kit-links: ${message}`);
}

/** The views the README links to, built by the real view builders. */
export function exampleViews(): ExampleView[] {
  return inUtc(buildViews);
}

/**
 * Runs `build` with the process in UTC, then puts the time zone back. date-fns computes and formats
 * dates in the process's time zone (the running app's is its TZ), and the links must come out the
 * same on every machine. `build` is synchronous, so nothing else runs meanwhile.
 */
function inUtc<T>(build: () => T): T {
  const zone = process.env.TZ;
  process.env.TZ = "UTC";
  try {
    return build();
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }
}

function buildViews(): ExampleView[] {
  const dates = subscriptionDates();
  const metadata = JSON.stringify({ channelId: "C0SSLDESK", userId: REQUESTER });
  const submitted: ThreadChange = {
    kind: "submitted",
    actor: "system",
    detail: { providerOrderId: PROVIDER_ORDER_ID },
  };
  const replyText =
    threadReplyText(THREAD_ORDER, submitted, false) ?? failure("the submitted event has no thread reply");
  const reply = threadReplyMessage(replyText, submitted, THREAD_ORDER);
  const alert = expiryAlertMessage(
    { alertId: 7, kind: "expiring", threshold: 30, daysLeft: 30 },
    {
      orderId: ORDER_ID,
      reference: REFERENCE,
      primaryDomain: DOMAIN,
      clientName: CLIENT.name,
      ...dates,
    },
  );

  return [
    {
      id: "view-order-form",
      title: "The order form",
      caption: `\`/ssl order "Acme Ltd" www.example.com\`, after Enter in Domain: product, validity, server type, add-ons, validation (DNS by default), "Will it issue?", and the organisation prefilled from the client`,
      surface: "modal",
      payload: orderStep1View({
        values: { domain: DOMAIN, dcvMethod: "dns", organisation: "Acme Limited", country: "GB" },
        client: CLIENT,
        catalogue: [SANDBOX],
        approvers: { state: "idle" },
        readiness: { domain: DOMAIN, findings: READY },
        privateMetadata: metadata,
      }),
    },
    {
      id: "view-order-review",
      title: "Review and order",
      caption:
        "the form's last step: what will be bought and its price, then the client's contact for this order",
      surface: "modal",
      payload: orderStep2View({
        clientName: CLIENT.name,
        domain: DOMAIN,
        review: {
          clientName: CLIENT.name,
          providerName: SANDBOX.provider.displayName,
          productName: PRODUCT.name,
          periodMonths: PERIOD_MONTHS,
          free: false,
          domains: [DOMAIN],
          validation: { method: "dns" },
          addons: [],
          price: PRICE,
          key: "new",
        },
        approvalNeeded: false,
        contacts: CONTACTS,
        privateMetadata: JSON.stringify({ draftId: 12 }),
      }),
    },
    {
      id: "view-order-message",
      title: "The order message",
      caption:
        "posted in `SSL_CHANNEL` once the order is placed; it follows the order's status and carries its buttons",
      surface: "message",
      ...asLink(orderMessage(PENDING_ORDER, false)),
    },
    {
      id: "view-thread-reply",
      title: "A reply in its thread",
      caption: "the provider accepted the order: the DNS record to publish, with the validation buttons",
      surface: "message",
      ...asLink({ text: reply.text, blocks: reply.blocks ?? failure("the submitted reply has no buttons") }),
    },
    {
      id: "view-details",
      title: "Details",
      caption:
        "the issued order's Overview: dates, subscription, certificates, Reissue (free) and, for people in `SSL_APPROVERS`, Revoke…",
      surface: "modal",
      payload: orderDetailsView({
        orderId: ORDER_ID,
        order: issuedOrder(dates),
        clientName: CLIENT.name,
        providerName: SANDBOX.provider.displayName,
        serverTypeLabel: "Apache/mod_ssl",
        renewedBy: [],
        certificates: [
          {
            label: REFERENCE,
            reason: "initial",
            status: "issued",
            serial: "5A0C9E3B71D24F08",
            notBefore: ISSUED_AT,
            notAfter: dates.notAfter,
            keySource: "generated",
            keyAlgorithm: "rsa-2048",
          },
        ],
        mayRevoke: true,
        events: [],
        keyPolicy: { mayReceiveKey: true, keysEnabled: true },
        tab: "overview",
        privateMetadata: JSON.stringify({ orderId: ORDER_ID, tab: "overview" }),
      }),
    },
    {
      id: "view-expiry-alert",
      title: "An expiry alert",
      caption:
        "30 days before the certificate ends, while the subscription still covers it: Reissue (free), Snooze 7 days, Acknowledge",
      surface: "message",
      ...asLink(alert),
    },
    {
      id: "view-ct-sighting",
      title: "A Certificate Transparency find",
      caption:
        "`CT_CRON` found a certificate for a client's domain that certdesk did not order: issuer, names, dates, with Import and Ignore",
      surface: "message",
      ...asLink(
        ctSightingMessage({
          sightingId: 3,
          clientName: CLIENT.name,
          issuer: "C=US, O=Let's Encrypt, CN=R11",
          commonName: "shop.example.com",
          names: ["shop.example.com", "www.shop.example.com"],
          notBefore: ISSUED_AT,
          notAfter: new Date(ISSUED_AT.getTime() + 90 * 86_400_000),
          entryUrl: "https://crt.sh/?id=15880042161",
        }),
      ),
    },
  ];
}

/** The Block Kit Builder link for a payload: the JSON rides in the URL's fragment. */
export function blockKitBuilderUrl(payload: unknown): string {
  return `${BUILDER_URL}${encodeURIComponent(JSON.stringify(payload))}`;
}

/** The README's generated part, marker lines included. */
export function blockKitLinksSection(views: ExampleView[] = exampleViews()): string {
  const rows = views.map((view) => `| [${view.title}][${view.id}] | ${view.caption} |`);
  const links = views.map((view) => `[${view.id}]: ${blockKitBuilderUrl(view.payload)}`);
  return [
    START_MARKER,
    "<!-- Written by `npx tsx scripts/block-kit-links.ts` from the view builders in src/views/; edit that script, not these lines. -->",
    "",
    "| view | what it shows |",
    "| --- | --- |",
    ...rows,
    "",
    ...links,
    END_MARKER,
  ].join("\n");
}

/** `readme` with its generated part replaced by `section`. */
export function withBlockKitLinks(readme: string, section: string = blockKitLinksSection()): string {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER, start);
  if (start < 0 || end < 0) {
    throw new Error(
      `README.md lacks the marker lines "${START_MARKER}" and "${END_MARKER}": put them back where the view links go`,
    );
  }
  return readme.slice(0, start) + section + readme.slice(end + END_MARKER.length);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const current = readFileSync(README, "utf8");
  const wanted = withBlockKitLinks(current);
  if (process.argv.includes("--check")) {
    if (current !== wanted) {
      process.stderr.write(
        "README.md's Block Kit Builder links are out of date: run `npx tsx scripts/block-kit-links.ts`.\n",
      );
      process.exit(1);
    }
    process.stdout.write("README.md's Block Kit Builder links are current.\n");
  } else if (current === wanted) {
    process.stdout.write("README.md's Block Kit Builder links were already current.\n");
  } else {
    writeFileSync(README, wanted);
    process.stdout.write("README.md's Block Kit Builder links rewritten.\n");
  }
}
