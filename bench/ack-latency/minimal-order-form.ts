import type { KnownBlock, ModalView, PlainTextOption } from "@slack/types";

/**
 * The minimal app's order form: what the floor describes, "ack, render a realistic 12-input
 * form and call views.open". Built by hand here (not by certdesk's view builders) and rendered on
 * every request, so the floor pays for rendering and serialising a form too. The inputs mirror
 * certdesk's step 1: client and country as external selects (their options are loaded on demand),
 * the domain, the approver address, validity, server type, product, add-ons, validation method and
 * the organisation's name, unit and state.
 */
export function minimalOrderForm(client: string, domain: string): ModalView {
  const option = (text: string, value = text): PlainTextOption => ({
    text: { type: "plain_text", text },
    value,
  });
  const select = (blockId: string, label: string, options: PlainTextOption[]): KnownBlock => ({
    type: "input",
    block_id: blockId,
    label: { type: "plain_text", text: label },
    element: {
      type: "static_select",
      action_id: blockId,
      options,
      initial_option: options[0],
    },
  });
  const text = (blockId: string, label: string, initial?: string): KnownBlock => ({
    type: "input",
    block_id: blockId,
    optional: true,
    label: { type: "plain_text", text: label },
    element: {
      type: "plain_text_input",
      action_id: blockId,
      max_length: 64,
      ...(initial ? { initial_value: initial } : {}),
    },
  });
  const approvers = ["admin", "administrator", "hostmaster", "postmaster", "webmaster"].map((box) =>
    option(`${box}@${domain}`),
  );
  return {
    type: "modal",
    callback_id: "minimal_order",
    title: { type: "plain_text", text: "Order SSL Cert" },
    submit: { type: "plain_text", text: "Next" },
    close: { type: "plain_text", text: "Cancel" },
    private_metadata: JSON.stringify({ channelId: "C0BENCH" }),
    blocks: [
      {
        type: "input",
        block_id: "client",
        label: { type: "plain_text", text: "Client" },
        element: {
          type: "external_select",
          action_id: "client",
          min_query_length: 0,
          initial_option: option(client, "1"),
        },
      },
      {
        type: "input",
        block_id: "domain",
        dispatch_action: true,
        label: { type: "plain_text", text: "Domain" },
        element: { type: "plain_text_input", action_id: "domain", initial_value: domain },
      },
      select("approver", "Approval Email", approvers),
      select(
        "validity",
        "Validity",
        ["1 year", "2 years", "3 years"].map((years) => option(years)),
      ),
      select(
        "server",
        "Server Type",
        ["Apache", "Nginx", "IIS", "Tomcat", "cPanel", "Other"].map((server) => option(server)),
      ),
      select(
        "product",
        "Product",
        ["PositiveSSL", "PositiveSSL Wildcard", "EssentialSSL", "InstantSSL", "EV SSL"].map((product) =>
          option(product),
        ),
      ),
      {
        type: "input",
        block_id: "addons",
        optional: true,
        label: { type: "plain_text", text: "Add-ons" },
        element: {
          type: "checkboxes",
          action_id: "addons",
          options: [option("Extra SAN"), option("Site seal"), option("Express validation")],
        },
      },
      {
        type: "input",
        block_id: "method",
        label: { type: "plain_text", text: "Validation" },
        element: {
          type: "radio_buttons",
          action_id: "method",
          options: [option("E-mail"), option("HTTP file"), option("DNS record")],
          initial_option: option("E-mail"),
        },
      },
      text("organisation", "Organization", "Acme Limited"),
      text("unit", "Unit"),
      text("state", "State"),
      {
        type: "input",
        block_id: "country",
        label: { type: "plain_text", text: "Country" },
        element: {
          type: "external_select",
          action_id: "country",
          min_query_length: 0,
          initial_option: option("United Kingdom", "GB"),
        },
      },
    ],
  };
}
