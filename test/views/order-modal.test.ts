import type { Checkboxes, ModalView, PlainTextInput } from "@slack/types";
import { describe, expect, it } from "vitest";
import type { Product, ProviderCatalogue, ServerType } from "../../src/domain/product.js";
import {
  blockId,
  type ContactChoice,
  effectiveProductKey,
  ORDER_ACTIONS,
  ORDER_BLOCKS,
  ORDER_DONE_CALLBACK,
  ORDER_STEP1_CALLBACK,
  ORDER_STEP2_CALLBACK,
  type OrderStep1Data,
  type OrderStep2Data,
  orderConfirmationView,
  orderProgressView,
  orderStep1View,
  orderStep2View,
} from "../../src/views/order-modal.js";
import { blockById, expectValidBlockKit } from "../support/block-kit.js";
import {
  allTexts,
  HOSTILE,
  HOSTILE_ESCAPED,
  ids,
  input,
  LONGEST_DOMAIN,
  select,
  textOf,
  WORST_CLIENT_NAME,
} from "./fixtures.js";

const SERVER_TYPES: ServerType[] = [
  { id: "apache", label: "Apache/mod_ssl", isDefault: true },
  { id: "nginx", label: "nginx", isDefault: false },
  { id: "iis", label: "Microsoft IIS", isDefault: false },
];

const ADDONS = [
  { id: "sitelock", name: "SiteLock malware scan" },
  { id: "hackerguardian", name: "HackerGuardian PCI scan" },
];

const positive: Product = {
  id: "positivessl",
  name: "PositiveSSL (DV)",
  validation: "DV",
  wildcard: false,
  multiDomain: false,
  periods: [12, 24],
  addons: ADDONS,
};

const multi: Product = {
  id: "positivessl-multidomain",
  name: "PositiveSSL Multi-Domain (DV)",
  validation: "DV",
  wildcard: false,
  multiDomain: true,
  periods: [12, 24, 36],
  addons: [],
};

const gogetssl: ProviderCatalogue = {
  provider: { id: "gogetssl", displayName: "GoGetSSL", dcvMethods: ["email", "http", "dns"] },
  products: [positive, multi],
  serverTypes: SERVER_TYPES,
  state: "ready",
};

const sectigo: ProviderCatalogue = {
  provider: { id: "sectigo", displayName: "Sectigo", dcvMethods: ["email"] },
  products: [{ ...positive, id: "287", name: "Sectigo PositiveSSL" }],
  serverTypes: [],
  state: "ready",
};

function step1(overrides: Partial<OrderStep1Data> = {}): OrderStep1Data {
  return {
    values: { domain: "www.example.com" },
    client: { id: 7, name: "Acme Ltd" },
    catalogue: [gogetssl],
    approvers: { state: "idle" },
    privateMetadata: JSON.stringify({ channelId: "C0OPS", userId: "U0ALICE" }),
    ...overrides,
  };
}

describe("order form, step 1", () => {
  it("asks for client, domain, product, period, server type, add-ons, validation and organisation", () => {
    const view = orderStep1View(step1());
    expectValidBlockKit("modal", view);
    expect(view.callback_id).toBe(ORDER_STEP1_CALLBACK);
    expect(view.title.text).toBe("Order SSL Cert");
    expect(view.submit?.text).toBe("Specify Contact Info");
    expect(view.close?.text).toBe("Cancel");
    expect(ids(view)).toEqual(
      expect.arrayContaining([
        "client_blk",
        "domain_blk",
        "product_blk",
        "period_blk:gogetssl:positivessl",
        "server_blk:gogetssl",
        "addons_blk:gogetssl:positivessl",
        "dcv_blk:email-http-dns",
        "org_blk:7",
        "unit_blk:7",
        "state_blk:7",
        "country_blk:7",
      ]),
    );
    expect(ids(view)).not.toContain(ORDER_BLOCKS.sans);
  });

  it("carries the client and the domain typed so far, and dispatches on Enter in the domain", () => {
    const view = orderStep1View(step1());
    const client = input(view, "client_blk");
    expect(client.dispatch_action).toBe(true);
    expect(client.element).toMatchObject({
      type: "external_select",
      action_id: ORDER_ACTIONS.client,
      min_query_length: 0,
      initial_option: { text: { text: "Acme Ltd" }, value: "7" },
    });
    const domain = input(view, "domain_blk").element as PlainTextInput;
    expect(domain.initial_value).toBe("www.example.com");
    expect(domain.max_length).toBe(253);
    expect(domain.dispatch_action_config).toEqual({ trigger_actions_on: ["on_enter_pressed"] });
    const empty = orderStep1View(step1({ values: {}, client: undefined }));
    expect(input(empty, "client_blk").element).not.toHaveProperty("initial_option");
    expect(input(empty, "domain_blk").element).not.toHaveProperty("initial_value");
  });

  it("preselects the first product, one year and the provider's default server type", () => {
    const view = orderStep1View(step1());
    expect(select(view, "product_blk").initial_option?.value).toBe("gogetssl:positivessl");
    expect(select(view, "product_blk").options?.map((option) => option.text.text)).toEqual([
      "PositiveSSL (DV)",
      "PositiveSSL Multi-Domain (DV)",
    ]);
    expect(select(view, "period_blk:gogetssl:positivessl").initial_option?.text.text).toBe("1 year");
    expect(select(view, "server_blk:gogetssl").initial_option?.value).toBe("apache");
    expect(effectiveProductKey(step1())).toBe("gogetssl:positivessl");
  });

  it("keeps the chosen product, period, server type and add-ons", () => {
    const view = orderStep1View(
      step1({
        values: {
          productKey: "gogetssl:positivessl",
          periodMonths: 24,
          serverTypeId: "nginx",
          addonIds: ["hackerguardian"],
        },
      }),
    );
    expectValidBlockKit("modal", view);
    expect(select(view, "period_blk:gogetssl:positivessl").initial_option?.value).toBe("24");
    expect(select(view, "server_blk:gogetssl").initial_option?.value).toBe("nginx");
    const addons = input(view, "addons_blk:gogetssl:positivessl").element as Checkboxes;
    expect(addons.options.map((option) => option.value)).toEqual(["sitelock", "hackerguardian"]);
    expect(addons.initial_options?.map((option) => option.value)).toEqual(["hackerguardian"]);
  });

  it("asks for additional domains only for a multi-domain product", () => {
    const view = orderStep1View(
      step1({
        values: { productKey: "gogetssl:positivessl-multidomain", sans: "a.example.com\nb.example.com" },
      }),
    );
    expectValidBlockKit("modal", view);
    const sans = input(view, ORDER_BLOCKS.sans).element as PlainTextInput;
    expect(sans.multiline).toBe(true);
    expect(sans.initial_value).toBe("a.example.com\nb.example.com");
    expect(ids(view)).not.toContain("addons_blk:gogetssl:positivessl-multidomain");
    expect(select(view, "period_blk:gogetssl:positivessl-multidomain").options).toHaveLength(3);
  });

  it("groups products by provider when there are several", () => {
    const view = orderStep1View(
      step1({ catalogue: [gogetssl, sectigo], values: { productKey: "sectigo:287" } }),
    );
    expectValidBlockKit("modal", view);
    const product = select(view, "product_blk");
    expect(product.options).toBeUndefined();
    expect(product.option_groups?.map((group) => group.label.text)).toEqual(["GoGetSSL", "Sectigo"]);
    expect(product.initial_option?.value).toBe("sectigo:287");
    // Sectigo has a single validation method and no server types.
    expect(ids(view).some((id) => id?.startsWith("dcv_blk"))).toBe(false);
    expect(ids(view).some((id) => id?.startsWith("server_blk"))).toBe(false);
  });

  it("says when no product is available, and why each provider's list is missing", () => {
    const view = orderStep1View(
      step1({
        catalogue: [
          { ...gogetssl, products: [], state: "unavailable", error: "HTTP 503 <from upstream>" },
          { ...sectigo, products: [], state: "loading" },
        ],
      }),
    );
    expectValidBlockKit("modal", view);
    const shown = allTexts(view.blocks);
    expect(shown).toContain(":warning: GoGetSSL products are unavailable: HTTP 503 &lt;from upstream&gt;");
    expect(shown).toContain(":hourglass_flowing_sand: Sectigo products are still loading.");
    expect(shown).toContain(":warning: No products are available right now.");
    expect(ids(view)).not.toContain("product_blk");
  });

  it("shows the approver select only for e-mail validation, and what happens for HTTP or DNS", () => {
    const loaded = orderStep1View(
      step1({
        values: { domain: "www.example.com", dcvMethod: "email", approverEmail: "admin@example.com" },
        approvers: {
          state: "loaded",
          domain: "example.com",
          emails: ["admin@example.com", "webmaster@example.com"],
        },
      }),
    );
    expectValidBlockKit("modal", loaded);
    expect(select(loaded, "approver_blk:example.com").initial_option?.value).toBe("admin@example.com");

    const http = orderStep1View(step1({ values: { dcvMethod: "http" } }));
    expect(ids(http).some((id) => id?.startsWith("approver_blk"))).toBe(false);
    expect(allTexts(http.blocks)).toContain("/.well-known/pki-validation/");
    const dns = orderStep1View(step1({ values: { dcvMethod: "dns" } }));
    expect(allTexts(dns.blocks)).toContain("the thread shows the CNAME record to publish");

    // DNS is the default; the e-mail choice loads the list once the domain is entered.
    expect(allTexts(orderStep1View(step1()).blocks)).toContain(
      "the thread shows the CNAME record to publish",
    );
    const idle = orderStep1View(step1({ values: { dcvMethod: "email" } }));
    expect(allTexts(idle.blocks)).toContain("enter the domain above and press Enter");
  });

  it("puts warnings under their fields and the provider's refusal at the top, escaped", () => {
    const view = orderStep1View(
      step1({
        values: { productKey: "gogetssl:positivessl-multidomain" },
        topError: `Refused: ${HOSTILE}`,
        warnings: {
          client: "Choose a client.",
          domain: "Not a domain.",
          product: "Not sold any more.",
          approver: "Choose an address.",
          sans: "Too many names.",
          country: "Choose a country.",
        },
      }),
    );
    expectValidBlockKit("modal", view);
    expect(textOf(view.blocks[0])).toBe(`:x: *The provider refused the order.* Refused: ${HOSTILE_ESCAPED}`);
    const warningAfter = (id: string) =>
      textOf(view.blocks[view.blocks.findIndex((block) => block.block_id === id) + 1]);
    expect(warningAfter("client_blk")).toBe(":warning: Choose a client.");
    expect(warningAfter("domain_blk")).toBe(":warning: Not a domain.");
    expect(warningAfter(ORDER_BLOCKS.sans)).toBe(":warning: Too many names.");
    expect(warningAfter("country_blk:7")).toBe(":warning: Choose a country.");
    const shown = allTexts(view.blocks);
    expect(shown).toContain(":warning: Not sold any more.");
    expect(shown).toContain(":warning: Choose an address.");
  });

  it("prefills the organisation fields and the country", () => {
    const view = orderStep1View(
      step1({ values: { organisation: "Acme Limited", unit: "IT", state: "Greater London", country: "GB" } }),
    );
    expect((input(view, "org_blk:7").element as PlainTextInput).initial_value).toBe("Acme Limited");
    expect((input(view, "unit_blk:7").element as PlainTextInput).initial_value).toBe("IT");
    expect(select(view, "country_blk:7").initial_option?.value).toBe("GB");
    const noClient = orderStep1View(step1({ client: undefined }));
    expect(ids(noClient)).toContain(ORDER_BLOCKS.organisation);
  });

  it("stays within limits with 150 products, 150 server types, 30 add-ons, long names and errors", () => {
    const products: Product[] = Array.from({ length: 150 }, (_, index) => ({
      ...positive,
      id: `p${index}-${"i".repeat(100)}`,
      name: `${index} ${"&".repeat(200)}`,
      addons: Array.from({ length: 30 }, (_, addon) => ({ id: `a${addon}`, name: "n".repeat(200) })),
    }));
    const serverTypes = Array.from({ length: 150 }, (_, index) => ({
      id: `s${index}`,
      label: "l".repeat(200),
      isDefault: false,
    }));
    const view = orderStep1View(
      step1({
        catalogue: [
          { ...gogetssl, products, serverTypes },
          { ...sectigo, state: "unavailable", error: "e".repeat(5000) },
        ],
        client: { id: 7, name: WORST_CLIENT_NAME },
        values: {
          domain: LONGEST_DOMAIN,
          organisation: "o".repeat(200),
          unit: "u".repeat(200),
          state: "s".repeat(200),
          addonIds: Array.from({ length: 30 }, (_, addon) => `a${addon}`),
        },
        approvers: {
          state: "loaded",
          domain: LONGEST_DOMAIN,
          emails: Array.from({ length: 150 }, (_, index) => `box${index}@${LONGEST_DOMAIN}`),
        },
        topError: "<".repeat(5000),
        warnings: { domain: "w".repeat(5000) },
      }),
    );
    expectValidBlockKit("modal", view);
    const product = select(view, "product_blk");
    expect(product.option_groups?.[0]?.options).toHaveLength(100);
  });

  it("builds block ids from what they depend on, clipped to fit 255 characters", () => {
    expect(blockId("domain")).toBe("domain_blk");
    expect(blockId("period", "gogetssl:positivessl")).toBe("period_blk:gogetssl:positivessl");
    expect(blockId("organisation", "")).toBe("org_blk");
    expect(blockId("organisation", 7)).toBe("org_blk:7");
    expect(blockId("approver", LONGEST_DOMAIN).length).toBeLessThanOrEqual(255);
  });
});

const contacts: ContactChoice[] = [
  {
    id: 1,
    firstName: "Jane",
    lastName: "Doe",
    email: "jane@acme.example",
    phone: "+44 20 7946 0001",
    title: "CTO",
    isDefault: false,
  },
  {
    id: 2,
    firstName: "John",
    lastName: "Roe",
    email: "john@acme.example",
    phone: "+44 20 7946 0002",
    title: "",
    isDefault: true,
  },
];

function step2(overrides: Partial<OrderStep2Data> = {}): OrderStep2Data {
  return {
    clientName: "Acme Ltd",
    domain: "www.example.com",
    review: {
      clientName: "Acme Ltd",
      providerName: "GoGetSSL",
      productName: "PositiveSSL (DV)",
      periodMonths: 12,
      domains: ["www.example.com"],
      free: false,
      validation: { method: "email", approverEmail: "admin@example.com" },
      addons: [],
      price: "8.95 USD",
    },
    approvalNeeded: false,
    contacts,
    privateMetadata: JSON.stringify({ draftId: 12 }),
    ...overrides,
  };
}

const contactValue = (view: ModalView, field: string, key: string | number) =>
  (input(view, `${field}:${key}`).element as PlainTextInput).initial_value;

describe("order form, step 2", () => {
  it("reviews the purchase, then asks who the contact is, with the default contact filled in", () => {
    const view = orderStep2View(step2());
    expectValidBlockKit("modal", view);
    expect(view.callback_id).toBe(ORDER_STEP2_CALLBACK);
    expect(view.title.text).toBe("Review and order");
    expect(view.submit?.text).toBe("Place order");
    expect(view.close?.text).toBe("Back");
    expect(textOf(blockById(view.blocks, "purchase_review"))).toContain("Price: *8.95 USD*");
    expect(allTexts(view.blocks)).toContain(
      "*www.example.com* for *Acme Ltd* — who is the contact for this order?",
    );
    const pick = select(view, ORDER_BLOCKS.contactPick);
    expect(pick.options?.map((option) => option.text.text)).toEqual([
      "Jane Doe — jane@acme.example",
      "John Roe (default) — john@acme.example",
    ]);
    expect(pick.initial_option?.value).toBe("2");
    expect(contactValue(view, ORDER_BLOCKS.contactFirst, 2)).toBe("John");
    expect(contactValue(view, ORDER_BLOCKS.contactEmail, 2)).toBe("john@acme.example");
    expect(input(view, `${ORDER_BLOCKS.contactTitle}:2`).element).not.toHaveProperty("initial_value");
    expect(input(view, `${ORDER_BLOCKS.contactTitle}:2`).optional).toBe(true);
  });

  it("asks for approval instead of buying when approval is required", () => {
    expect(orderStep2View(step2({ approvalNeeded: true })).submit?.text).toBe("Request approval");
  });

  it("fills in the picked contact, and offers empty fields when the client has none", () => {
    const picked = orderStep2View(step2({ selected: contacts[0] }));
    expect(select(picked, ORDER_BLOCKS.contactPick).initial_option?.value).toBe("1");
    expect(contactValue(picked, ORDER_BLOCKS.contactLast, 1)).toBe("Doe");

    const none = orderStep2View(step2({ contacts: [] }));
    expectValidBlockKit("modal", none);
    expect(ids(none)).not.toContain(ORDER_BLOCKS.contactPick);
    expect(ids(none)).toContain(`${ORDER_BLOCKS.contactFirst}:new`);
  });

  it("stays within limits with 150 contacts, long details, 100 domains and a hostile client name", () => {
    const many: ContactChoice[] = Array.from({ length: 150 }, (_, index) => ({
      id: index + 1,
      firstName: "f".repeat(200),
      lastName: "l".repeat(200),
      email: `${"e".repeat(64)}@example.com`,
      phone: "+44 20 7946 0001",
      title: "t".repeat(200),
      isDefault: index === 149,
    }));
    const view = orderStep2View(
      step2({
        clientName: HOSTILE,
        domain: LONGEST_DOMAIN,
        contacts: many,
        selected: many[3],
        review: {
          ...step2().review,
          clientName: WORST_CLIENT_NAME,
          domains: [
            LONGEST_DOMAIN,
            ...Array.from({ length: 100 }, (_, index) => `san${index}.${LONGEST_DOMAIN.slice(10)}`),
          ],
          addons: Array.from({ length: 30 }, () => "&".repeat(100)),
        },
      }),
    );
    expectValidBlockKit("modal", view);
    expect(select(view, ORDER_BLOCKS.contactPick).options).toHaveLength(100);
    expect(allTexts(view.blocks)).toContain(`for *${HOSTILE_ESCAPED}*`);
  });
});

describe("order progress and confirmation", () => {
  it("shows progress in a modal that closes the whole stack", () => {
    const view = orderProgressView("Placing the order", "Sending SSL-1042 to GoGetSSL…");
    expectValidBlockKit("modal", view);
    expect(view.callback_id).toBe(ORDER_DONE_CALLBACK);
    expect(view.title.text).toBe("Placing the order");
    expect(view.clear_on_close).toBe(true);
    expect(textOf(view.blocks[0])).toBe(":hourglass_flowing_sand: Sending SSL-1042 to GoGetSSL…");
    expectValidBlockKit("modal", orderProgressView("t".repeat(100), "x".repeat(10_000)));
  });

  it("confirms the order, with a detail line when there is one", () => {
    const view = orderConfirmationView("*SSL-1042* placed.", "Follow it in the order's thread.");
    expectValidBlockKit("modal", view);
    expect(view.callback_id).toBe(ORDER_DONE_CALLBACK);
    expect(view.title.text).toBe("Order SSL Cert");
    expect(view.close?.text).toBe("Done");
    expect(view.clear_on_close).toBe(true);
    expect(view.blocks.map(textOf)).toEqual(["*SSL-1042* placed.", "Follow it in the order's thread."]);
    expect(orderConfirmationView("Done.").blocks).toHaveLength(1);
    expectValidBlockKit("modal", orderConfirmationView("x".repeat(10_000), "y".repeat(10_000)));
  });
});

describe("order form prefilled from the command", () => {
  // `/ssl order Acme <domain>` prefills whatever looks like a domain (ssl/parse.ts puts no length
  // bound on it) as the domain input's initial_value, whose max_length is 253.
  it("never prefills the domain input with more than its max_length", () => {
    const typed = `${"a".repeat(300)}.com`;
    expectValidBlockKit("modal", orderStep1View(step1({ values: { domain: typed } })));
  });
});
