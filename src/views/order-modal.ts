import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from "@slack/types";
import type { DcvMethod } from "../domain/dcv.js";
import {
  findProduct,
  type ProviderCatalogue,
  periodFor,
  productKey,
  productOnOffer,
} from "../domain/product.js";
import type { Finding } from "../domain/readiness.js";
import {
  clip,
  context,
  escapeMrkdwn,
  fieldWarning,
  markdownSection,
  messageModal,
  option,
  plain,
} from "./blocks.js";
import { countryOption } from "./countries.js";
import { type ApproverState, approverSelectBlocks, chooseDcvMethod, dcvMethodInput } from "./dcv-fields.js";
import { type PurchaseReview, purchaseReviewBlocks } from "./purchase-review.js";
import { findingsText } from "./readiness.js";

/**
 * The "Order SSL Cert" popup. Step 1 is rebuilt (views.update) whenever the domain, client,
 * product or DCV method changes; block_ids that embed what they depend on (`period_blk:<product>`)
 * make Slack reset exactly the fields that must change, and every other value is carried over
 * as an initial value, so nothing typed is lost.
 */

export const ORDER_STEP1_CALLBACK = "ssl_order_step1";
export const ORDER_STEP2_CALLBACK = "ssl_order_step2";
export const ORDER_DONE_CALLBACK = "ssl_order_done";

export const ORDER_ACTIONS = {
  client: "order_client",
  domain: "order_domain",
  approver: "order_approver",
  product: "order_product",
  period: "order_period",
  serverType: "order_server_type",
  addons: "order_addons",
  dcvMethod: "order_dcv_method",
  sans: "order_sans",
  organisation: "order_organisation",
  unit: "order_unit",
  state: "order_state",
  country: "order_country",
  csr: "order_csr",
  contactPick: "order_contact_pick",
  contactFirst: "order_contact_first",
  contactLast: "order_contact_last",
  contactEmail: "order_contact_email",
  contactPhone: "order_contact_phone",
  contactTitle: "order_contact_title",
} as const;

/** Block ids by form field; the part after ":" (if any) is what the block depends on. */
export const ORDER_BLOCKS = {
  client: "client_blk",
  domain: "domain_blk",
  approver: "approver_blk",
  product: "product_blk",
  period: "period_blk",
  serverType: "server_blk",
  addons: "addons_blk",
  dcvMethod: "dcv_blk",
  sans: "sans_blk",
  organisation: "org_blk",
  unit: "unit_blk",
  state: "state_blk",
  country: "country_blk",
  csr: "csr_blk",
  contactPick: "contact_pick_blk",
  contactFirst: "contact_first_blk",
  contactLast: "contact_last_blk",
  contactEmail: "contact_email_blk",
  contactPhone: "contact_phone_blk",
  contactTitle: "contact_title_blk",
} as const;

export type OrderFormField = keyof typeof ORDER_BLOCKS;

export interface OrderFormValues {
  clientId?: number;
  domain?: string;
  approverEmail?: string;
  productKey?: string;
  periodMonths?: number;
  serverTypeId?: string;
  addonIds?: string[];
  dcvMethod?: DcvMethod;
  sans?: string;
  organisation?: string;
  unit?: string;
  state?: string;
  country?: string;
  /** The client's own PEM CSR, when the client keeps its key. */
  csr?: string;
}

export type { ApproverState };

export interface OrderStep1Data {
  values: OrderFormValues;
  client?: { id: number; name: string };
  catalogue: ProviderCatalogue[];
  approvers: ApproverState;
  /** Problems shown inline (views rebuilt after an action or a provider error). */
  warnings?: Partial<Record<OrderFormField, string>>;
  /** A provider's refusal, shown at the top when the form comes back. */
  topError?: string;
  /** "Will it issue?" for the domain entered: advice under the domain, never a refusal. */
  readiness?: { domain: string; findings: Finding[] };
  privateMetadata: string;
}

export function blockId(field: OrderFormField, dependsOn?: string | number): string {
  return dependsOn === undefined || dependsOn === ""
    ? ORDER_BLOCKS[field]
    : `${ORDER_BLOCKS[field]}:${clip(String(dependsOn), 200)}`;
}

/** The product the form should use: the chosen one, else the first product of the first provider. */
export function effectiveProductKey(data: Pick<OrderStep1Data, "values" | "catalogue">): string | undefined {
  const offered = productOnOffer(data.catalogue, data.values.productKey);
  return offered ? productKey(offered.entry.provider.id, offered.product.id) : undefined;
}

export function orderStep1View(data: OrderStep1Data): ModalView {
  const key = effectiveProductKey(data);
  const chosen = findProduct(data.catalogue, key);
  const warnings = data.warnings ?? {};
  const blocks: KnownBlock[] = [];
  if (data.topError)
    blocks.push(markdownSection(`:x: *The provider refused the order.* ${escapeMrkdwn(data.topError)}`));

  blocks.push(clientBlock(data));
  if (warnings.client) blocks.push(fieldWarning(warnings.client));
  blocks.push({
    type: "input",
    block_id: blockId("domain"),
    dispatch_action: true,
    label: plain("Domain"),
    hint: plain("Press Enter to load the approver addresses. Wildcards: *.example.com"),
    element: {
      type: "plain_text_input",
      action_id: ORDER_ACTIONS.domain,
      placeholder: plain("www.example.com"),
      max_length: 253,
      dispatch_action_config: { trigger_actions_on: ["on_enter_pressed"] },
      // A prefill longer than the field (from `/ssl order`) is cut to it; the domain check then says why.
      ...(data.values.domain ? { initial_value: data.values.domain.slice(0, 253) } : {}),
    },
  });
  if (warnings.domain) blocks.push(fieldWarning(warnings.domain));
  if (data.readiness) blocks.push(readinessBlock(data.readiness));

  blocks.push(...productBlocks(data, key, chosen));
  if (warnings.product) blocks.push(fieldWarning(warnings.product));
  blocks.push(...approverBlocks(data, chosen?.entry.provider.dcvMethods ?? ["email"]));
  if (warnings.approver) blocks.push(fieldWarning(warnings.approver));
  if (chosen?.product.multiDomain) {
    blocks.push({
      type: "input",
      block_id: blockId("sans"),
      optional: true,
      label: plain("Additional domains"),
      hint: plain("One per line or separated by commas; the primary domain above is included anyway."),
      element: {
        type: "plain_text_input",
        action_id: ORDER_ACTIONS.sans,
        multiline: true,
        max_length: 3000,
        ...(data.values.sans ? { initial_value: data.values.sans } : {}),
      },
    });
    if (warnings.sans) blocks.push(fieldWarning(warnings.sans));
  }

  blocks.push(...organisationBlocks(data));
  blocks.push({
    type: "input",
    block_id: blockId("csr"),
    optional: true,
    label: plain("Client's own CSR"),
    hint: plain(
      "Only when the client makes its own key: paste its PEM CSR (it must name exactly the domains above). certdesk then keeps no key. Leave empty to have certdesk make the key.",
      2000,
    ),
    element: {
      type: "plain_text_input",
      action_id: ORDER_ACTIONS.csr,
      multiline: true,
      max_length: 3000,
      ...(data.values.csr ? { initial_value: data.values.csr.slice(0, 3000) } : {}),
    },
  });
  if (warnings.csr) blocks.push(fieldWarning(warnings.csr));
  return {
    type: "modal",
    callback_id: ORDER_STEP1_CALLBACK,
    title: plain("Order SSL Cert", 24),
    submit: plain("Specify Contact Info", 24),
    close: plain("Cancel", 24),
    private_metadata: data.privateMetadata,
    blocks: blocks.slice(0, 100),
  };
}

function clientBlock(data: OrderStep1Data): InputBlock {
  return {
    type: "input",
    block_id: blockId("client"),
    dispatch_action: true,
    label: plain("Client"),
    element: {
      type: "external_select",
      action_id: ORDER_ACTIONS.client,
      placeholder: plain("Search clients"),
      min_query_length: 0,
      ...(data.client ? { initial_option: option(data.client.name, String(data.client.id)) } : {}),
    },
  };
}

function productBlocks(
  data: OrderStep1Data,
  key: string | undefined,
  chosen: ReturnType<typeof findProduct>,
): KnownBlock[] {
  const available = data.catalogue.filter((entry) => entry.products.length > 0);
  const blocks: KnownBlock[] = [];
  for (const entry of data.catalogue) {
    if (entry.state === "unavailable") {
      blocks.push(
        fieldWarning(
          `${entry.provider.displayName} products are unavailable: ${escapeMrkdwn(entry.error ?? "its product list could not be loaded")}`,
        ),
      );
    } else if (entry.state === "loading") {
      blocks.push(
        context(`:hourglass_flowing_sand: ${entry.provider.displayName} products are still loading.`),
      );
    }
  }
  if (available.length === 0 || !chosen || !key) {
    blocks.push(
      markdownSection(":warning: No products are available right now. Please try again in a minute."),
    );
    return blocks;
  }
  const productOptions = (entry: ProviderCatalogue): PlainTextOption[] =>
    entry.products
      .slice(0, 100)
      .map((product) => option(product.name, productKey(entry.provider.id, product.id)));
  const initial = option(chosen.product.name, key);
  blocks.push({
    type: "input",
    block_id: blockId("product"),
    dispatch_action: true,
    label: plain("Product"),
    element: {
      type: "static_select",
      action_id: ORDER_ACTIONS.product,
      initial_option: initial,
      ...(available.length > 1
        ? {
            option_groups: available.slice(0, 100).map((entry) => ({
              label: plain(entry.provider.displayName, 75),
              options: productOptions(entry),
            })),
          }
        : { options: productOptions(available[0] as ProviderCatalogue) }),
    },
  });

  const periods = chosen.product.periods;
  const period = periodFor(periods, data.values.periodMonths);
  blocks.push({
    type: "input",
    block_id: blockId("period", key),
    label: plain("Validity period"),
    element: {
      type: "static_select",
      action_id: ORDER_ACTIONS.period,
      initial_option: periodOption(period),
      options: periods.map(periodOption),
    },
  });

  const serverTypes = chosen.entry.serverTypes;
  if (serverTypes.length > 0) {
    const initialServer =
      serverTypes.find((type) => type.id === data.values.serverTypeId) ??
      serverTypes.find((type) => type.isDefault) ??
      serverTypes[0];
    blocks.push({
      type: "input",
      block_id: blockId("serverType", chosen.entry.provider.id),
      label: plain("Server Type"),
      element: {
        type: "static_select",
        action_id: ORDER_ACTIONS.serverType,
        options: serverTypes.slice(0, 100).map((type) => option(type.label, type.id)),
        ...(initialServer ? { initial_option: option(initialServer.label, initialServer.id) } : {}),
      },
    });
  }

  const addons = chosen.product.addons;
  if (addons.length > 0) {
    const addonOptions = addons.slice(0, 10).map((addon) => option(addon.name, addon.id));
    const selected = addonOptions.filter((candidate) =>
      data.values.addonIds?.includes(candidate.value ?? ""),
    );
    blocks.push({
      type: "input",
      block_id: blockId("addons", key),
      optional: true,
      label: plain("Add-on products"),
      element: {
        type: "checkboxes",
        action_id: ORDER_ACTIONS.addons,
        options: addonOptions,
        ...(selected.length > 0 ? { initial_options: selected } : {}),
      },
    });
  }
  return blocks;
}

function periodOption(months: number): PlainTextOption {
  const label = months % 12 === 0 ? `${months / 12} year${months === 12 ? "" : "s"}` : `${months} months`;
  return option(label, String(months));
}

/** What stands in the CA's way for the domain, or that nothing does; the details of ok checks are left out. */
function readinessBlock(readiness: { domain: string; findings: Finding[] }): KnownBlock {
  const notable = readiness.findings.filter((finding) => finding.severity !== "ok");
  const domain = escapeMrkdwn(readiness.domain);
  return context(
    notable.length === 0
      ? `:white_check_mark: *Will it issue?* Nothing in the way for ${domain} (DNS and CAA).`
      : clip(`*Will it issue?* (advice; the order can still be placed)\n${findingsText(notable)}`, 3000),
    "readiness",
  );
}

function approverBlocks(data: OrderStep1Data, dcvMethods: DcvMethod[]): KnownBlock[] {
  const method = chooseDcvMethod(dcvMethods, data.values.dcvMethod);
  const blocks: KnownBlock[] = dcvMethodInput(dcvMethods, method, {
    blockId: blockId("dcvMethod", dcvMethods.join("-")),
    actionId: ORDER_ACTIONS.dcvMethod,
  });
  if (method !== "email") {
    blocks.push(
      context(
        method === "http"
          ? "After the order is placed, the thread shows the file to publish under `/.well-known/pki-validation/`."
          : "After the order is placed, the thread shows the CNAME record to publish.",
      ),
    );
    return blocks;
  }
  blocks.push(
    ...approverSelectBlocks(data.approvers, {
      blockId: (domain) => blockId("approver", domain),
      actionId: ORDER_ACTIONS.approver,
      selected: data.values.approverEmail,
      loadingBlockId: "approver_loading",
      hint: (domain) => `The provider e-mails this address to confirm control of ${domain}.`,
      idle: context(
        ":information_source: *Approval Email Address* — enter the domain above and press Enter to load the provider's list.",
      ),
    }),
  );
  return blocks;
}

function organisationBlocks(data: OrderStep1Data): KnownBlock[] {
  const clientKey = data.client?.id;
  const text = (
    field: "organisation" | "unit" | "state",
    label: string,
    action: string,
    optional: boolean,
    hint?: string,
  ): InputBlock => ({
    type: "input",
    block_id: blockId(field, clientKey),
    optional,
    label: plain(label),
    ...(hint ? { hint: plain(hint) } : {}),
    element: {
      type: "plain_text_input",
      action_id: action,
      max_length: 64,
      ...(data.values[field] ? { initial_value: clip(data.values[field] as string, 64) } : {}),
    },
  });
  const initialCountry = countryOption(data.values.country);
  const warnings = data.warnings ?? {};
  const blocks: KnownBlock[] = [
    { type: "divider" },
    context("*Organisation* — prefilled from the client; used in the CSR and by OV/EV validation."),
    text("organisation", "Organization", ORDER_ACTIONS.organisation, true),
    text("unit", "Unit", ORDER_ACTIONS.unit, true, "Department, e.g. IT"),
    text("state", "State", ORDER_ACTIONS.state, true),
    {
      type: "input",
      block_id: blockId("country", clientKey),
      label: plain("Country"),
      element: {
        // Options from countrySuggestions (commands/countries.ts) when the menu opens.
        type: "external_select",
        action_id: ORDER_ACTIONS.country,
        placeholder: plain("Choose a country"),
        min_query_length: 0,
        ...(initialCountry ? { initial_option: initialCountry } : {}),
      },
    },
  ];
  if (warnings.country) blocks.push(fieldWarning(warnings.country));
  return blocks;
}

export interface ContactChoice {
  id: number;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  title: string;
  isDefault: boolean;
}

export interface OrderStep2Data {
  clientName: string;
  domain: string;
  /** What will be bought, shown above the contact fields and the button that buys it. */
  review: PurchaseReview;
  /** With SSL_REQUIRE_APPROVAL the button asks for approval instead of buying. */
  approvalNeeded: boolean;
  contacts: ContactChoice[];
  /** The contact whose details fill the fields; edits apply to this order only. */
  selected?: ContactChoice;
  privateMetadata: string;
}

export function orderStep2View(data: OrderStep2Data): ModalView {
  const selected = data.selected ?? data.contacts.find((contact) => contact.isDefault) ?? data.contacts[0];
  const key = selected?.id ?? "new";
  const field = (
    name: "contactFirst" | "contactLast" | "contactEmail" | "contactPhone" | "contactTitle",
    label: string,
    value: string | undefined,
    optional = false,
  ): InputBlock => ({
    type: "input",
    block_id: blockId(name, key),
    optional,
    label: plain(label),
    element: {
      type: "plain_text_input",
      action_id: ORDER_ACTIONS[name],
      max_length: 128,
      ...(value ? { initial_value: clip(value, 128) } : {}),
    },
  });
  const contactOptions = data.contacts
    .slice(0, 100)
    .map((contact) =>
      option(
        `${contact.firstName} ${contact.lastName}${contact.isDefault ? " (default)" : ""} — ${contact.email}`,
        String(contact.id),
      ),
    );
  const blocks: KnownBlock[] = [
    ...purchaseReviewBlocks(data.review),
    markdownSection(
      `*${escapeMrkdwn(data.domain)}* for *${escapeMrkdwn(data.clientName)}* — who is the contact for this order?`,
    ),
  ];
  if (contactOptions.length > 0) {
    blocks.push({
      type: "input",
      block_id: blockId("contactPick"),
      dispatch_action: true,
      label: plain("Contact"),
      hint: plain("Pick one of the client's contacts; the details below can be changed for this order only."),
      element: {
        type: "static_select",
        action_id: ORDER_ACTIONS.contactPick,
        options: contactOptions,
        ...(selected
          ? { initial_option: contactOptions.find((candidate) => candidate.value === String(selected.id)) }
          : {}),
      },
    });
  }
  blocks.push(
    field("contactFirst", "First name", selected?.firstName),
    field("contactLast", "Last name", selected?.lastName),
    field("contactEmail", "E-mail", selected?.email),
    field("contactPhone", "Phone", selected?.phone),
    field("contactTitle", "Title", selected?.title, true),
  );
  return {
    type: "modal",
    callback_id: ORDER_STEP2_CALLBACK,
    title: plain("Review and order", 24),
    submit: plain(data.approvalNeeded ? "Request approval" : "Place order", 24),
    close: plain("Back", 24),
    private_metadata: data.privateMetadata,
    blocks,
  };
}

/** Shown while slow work runs after an ack (placing the order, generating the key). */
export function orderProgressView(title: string, text: string): ModalView {
  return {
    type: "modal",
    callback_id: ORDER_DONE_CALLBACK,
    title: plain(title, 24),
    close: plain("Close", 24),
    clear_on_close: true,
    blocks: [markdownSection(`:hourglass_flowing_sand: ${text}`)],
  };
}

export function orderConfirmationView(text: string, detail?: string): ModalView {
  return messageModal({
    title: "Order SSL Cert",
    text,
    detail,
    callbackId: ORDER_DONE_CALLBACK,
    close: "Done",
    clearOnClose: true,
  });
}
