import type { ExternalSelect, InputBlock, ModalView, Option } from "@slack/types";
import { afterEach, describe, expect, it } from "vitest";
import type { ClientInput } from "../../../src/domain/client.js";
import { addContact, createClient, findClientByName, listContacts } from "../../../src/orders/clients.js";
import { useTestApp } from "../../support/harness.js";
import {
  blockIds,
  blockSuggestion,
  findBlock,
  type Inputs,
  messageButton,
  viewBlockAction,
  viewOf,
  viewSubmission,
} from "../../support/modal.js";

const t = useTestApp();
afterEach(() => {
  // A handler that throws after its ack leaves no trace in Slack, only in the log.
  expect(t.logLines.filter((line) => / ERROR /.test(line))).toEqual([]);
});

const EDIT_VIEW_ID = "V0EDIT";
const SUBMITTED_VIEW_ID = "V0SUBMIT";

/** What the user types into every client field; each input's action_id is its block_id. */
function clientValues(fields: Inputs = {}): Inputs {
  return {
    client_name: "Acme Ltd",
    client_organisation: "Acme Limited",
    client_street: "1 High Street",
    client_city: "London",
    client_state: null,
    client_postal_code: "EC1A 1BB",
    client_country: "GB",
    client_phone: "+44 20 7946 0000",
    client_email: "admin@acme.example",
    client_expiry_days: null,
    client_probe_ports: null,
    ...fields,
  };
}

function contactValues(fields: Inputs = {}): Inputs {
  return {
    client_contact_first_name: "Jane",
    client_contact_last_name: "Doe",
    client_contact_email: "jane@acme.example",
    client_contact_phone: "020 7946 0001",
    client_contact_title: "CTO",
    ...fields,
  };
}

async function createAcme(overrides: Partial<ClientInput> = {}) {
  const saved = await createClient(t.database.db, {
    name: "Acme Ltd",
    organisation: "Acme Limited",
    country: "GB",
    expiryDays: "14,7",
    contact: {
      firstName: "Jane",
      lastName: "Doe",
      email: "jane@acme.example",
      phone: "020 7946 0001",
      title: "CTO",
    },
    ...overrides,
  });
  if (!saved.ok) throw new Error(`fixture invalid: ${JSON.stringify(saved.errors)}`);
  return saved.value;
}

async function openedView(command: string): Promise<ModalView> {
  const response = await t.driver.slashCommand(command);
  expect(response.status).toBe(200);
  return viewOf<ModalView>(await t.slack.waitFor("views.open"));
}

async function reply(
  predicate: (text: string) => boolean = () => true,
): Promise<{ text: string; blocks?: unknown[] }> {
  const call = await t.slack.waitFor("response_url", (candidate) => predicate(String(candidate.args.text)));
  return call.args as { text: string; blocks?: unknown[] };
}

function input(view: ModalView, blockId: string): InputBlock {
  return findBlock<InputBlock>(view, blockId);
}

function initialValue(view: ModalView, blockId: string): string | undefined {
  return (input(view, blockId).element as { initial_value?: string }).initial_value;
}

/** A button on the ephemeral `/ssl clients` reply, which Slack still gives a message ts. */
function listButton(actionId: string, value: string, blockId: string) {
  const message = { channel: "C0OPS", ts: "1700000000.000001" };
  return messageButton(
    message,
    actionId,
    value,
    { userId: "U0ANN", responseUrl: t.slack.responseUrl() },
    blockId,
  );
}

async function submit(view: ModalView, values: Inputs) {
  const response = await t.driver.interactive(viewSubmission(view, { viewId: SUBMITTED_VIEW_ID }, values));
  expect(response.status).toBe(200);
  return response.text
    ? (response.json() as { response_action?: string; errors?: Record<string, string> })
    : {};
}

describe("/ssl client add", () => {
  it("opens the modal at once with every field, countries grouped by letter within Slack's limits", async () => {
    const view = await openedView("client add");
    expect(view.callback_id).toBe("client_add");
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(JSON.parse(view.private_metadata ?? "")).toEqual({ channelId: "C0OPS" });
    expect(blockIds(view)).toEqual(
      expect.arrayContaining([
        "client_name",
        "client_organisation",
        "client_street",
        "client_city",
        "client_state",
        "client_postal_code",
        "client_country",
        "client_phone",
        "client_email",
        "client_expiry_days",
        "client_probe_ports",
        "client_contact_first_name",
        "client_contact_last_name",
        "client_contact_email",
        "client_contact_phone",
        "client_contact_title",
      ]),
    );
    // The country menu loads its options when opened: every country, grouped by letter within Slack's limits.
    expect(input(view, "client_country").element).toMatchObject({
      type: "external_select",
      min_query_length: 0,
    });
    const menu = await t.driver.interactive(blockSuggestion("client_country", ""));
    const groups = (menu.json() as { option_groups: { label: { text: string }; options: Option[] }[] })
      .option_groups;
    expect(groups.map((group) => group.label.text).slice(0, 3)).toEqual(["A", "B", "C"]);
    expect(new Set(groups.flatMap((group) => group.options.map((option) => option.value))).size).toBe(250);
    for (const group of groups) expect(group.options.length).toBeLessThanOrEqual(100);
    expect(input(view, "client_expiry_days").hint?.text).toContain("30,14,7,1");
    expect(t.slack.callsTo("response_url")).toHaveLength(0);
  });

  it("saves the client with its first contact, closes the modal and confirms ephemerally where the command was typed", async () => {
    const view = await openedView("client add");
    const answer = await submit(view, {
      ...clientValues({ client_expiry_days: "30, 7" }),
      ...contactValues(),
    });
    expect(answer).toEqual({});
    const confirmation = await t.slack.waitFor("chat.postEphemeral");
    expect(confirmation.args).toMatchObject({ channel: "C0OPS", user: "U0ANN" });
    expect(String(confirmation.args.text)).toContain("Added client *Acme Ltd* with contact Jane Doe");
    const client = await findClientByName(t.database.db, "acme ltd");
    expect(client).toMatchObject({ country: "GB", phone: "+44 20 7946 0000", expiryDays: [30, 7] });
    if (!client) return;
    expect(await listContacts(t.database.db, client.id)).toMatchObject([
      { firstName: "Jane", isDefault: true },
    ]);
  });

  it("shows bad input inline under each field and saves nothing", async () => {
    const view = await openedView("client add");
    const answer = await submit(view, {
      ...clientValues({ client_phone: "12", client_email: "admin(at)acme", client_country: null }),
      ...contactValues({ client_contact_phone: "not a phone" }),
    });
    expect(answer.response_action).toBe("errors");
    expect(Object.keys(answer.errors ?? {}).sort()).toEqual([
      "client_contact_phone",
      "client_country",
      "client_email",
      "client_phone",
    ]);
    expect(answer.errors?.client_country).toContain("Choose a country");
    expect(answer.errors?.client_email).toContain("is not an e-mail address");
    expect(answer.errors?.client_phone).toContain("is not a valid phone number");
    expect(await findClientByName(t.database.db, "Acme Ltd")).toBeUndefined();
  });

  it("refuses a name that is taken, in any case", async () => {
    await createAcme();
    const view = await openedView("client add");
    const answer = await submit(view, { ...clientValues({ client_name: "ACME LTD" }), ...contactValues() });
    expect(answer).toEqual({
      response_action: "errors",
      errors: { client_name: "A client named “ACME LTD” already exists." },
    });
  });

  it("sends the confirmation as a DM when the channel refuses ephemeral messages", async () => {
    t.slack.on("chat.postEphemeral", () => ({ body: { ok: false, error: "channel_not_found" } }));
    const view = await openedView("client add");
    await submit(view, { ...clientValues(), ...contactValues() });
    const dm = await t.slack.waitFor("chat.postMessage");
    expect(dm.args.channel).toBe("U0ANN");
    expect(String(dm.args.text)).toContain("Added client *Acme Ltd*");
  });
});

describe("/ssl client edit", () => {
  it("answers a missing name with usage, and an unknown one with where to look", async () => {
    await t.driver.slashCommand("client edit");
    expect((await reply()).text).toContain("Usage: `/ssl client edit <name>`");
    await t.driver.slashCommand('client edit "Nope Inc"');
    expect((await reply((text) => text.startsWith("No client"))).text).toBe(
      "No client named “Nope Inc”; `/ssl clients` lists them.",
    );
    expect(t.slack.callsTo("views.open")).toHaveLength(0);
  });

  it("opens the modal prefilled, with the contacts and their menus", async () => {
    const client = await createAcme();
    const view = await openedView("client edit  acme LTD ");
    expect(view.callback_id).toBe("client_edit");
    expect(JSON.parse(view.private_metadata ?? "")).toEqual({ channelId: "C0OPS", clientId: client.id });
    expect(initialValue(view, "client_name")).toBe("Acme Ltd");
    expect(initialValue(view, "client_organisation")).toBe("Acme Limited");
    expect(initialValue(view, "client_expiry_days")).toBe("14,7");
    expect((input(view, "client_country").element as ExternalSelect).initial_option).toMatchObject({
      text: { text: "United Kingdom" },
      value: "GB",
    });
    expect(blockIds(view)).not.toContain("client_contact_first_name");
    const [contact] = await listContacts(t.database.db, client.id);
    const row = findBlock<{ text: { text: string }; accessory: { options: { value: string }[] } }>(
      view,
      `client_contact_row_${contact?.id}`,
    );
    expect(row.text.text).toContain("*Jane Doe* (default)");
    expect(row.accessory.options.map((option) => option.value)).toEqual([
      `edit:${contact?.id}`,
      `remove:${contact?.id}`,
    ]);
    expect(blockIds(view)).toContain("client_contacts_actions");
  });

  it("keeps the TLS ports the served-certificate probe connects to, 443 when left empty", async () => {
    const client = await createAcme();
    const view = await openedView("client edit Acme Ltd");
    expect(initialValue(view, "client_probe_ports")).toBeUndefined();
    expect(input(view, "client_probe_ports").hint?.text).toContain("Empty = 443");
    const bad = await submit(view, clientValues({ client_probe_ports: "443, https" }));
    expect(bad).toMatchObject({
      response_action: "errors",
      errors: {
        client_probe_ports:
          'Use port numbers from 1 to 65535, separated by commas (e.g. "443, 8443"), or leave it empty for 443.',
      },
    });
    expect(await submit(view, clientValues({ client_probe_ports: "8443 443,8443" }))).toEqual({});
    expect(await findClientByName(t.database.db, "acme ltd")).toMatchObject({
      id: client.id,
      probePorts: [8443, 443],
    });
    t.slack.reset();
    const again = await openedView("client edit Acme Ltd");
    expect(initialValue(again, "client_probe_ports")).toBe("8443, 443");
  });

  it("saves the edited fields and confirms; bad input stays inline", async () => {
    const client = await createAcme();
    const view = await openedView("client edit Acme Ltd");
    const bad = await submit(view, clientValues({ client_expiry_days: "soon" }));
    expect(bad).toMatchObject({
      response_action: "errors",
      errors: { client_expiry_days: expect.any(String) },
    });
    const good = await submit(
      view,
      clientValues({ client_name: "Acme Group", client_country: "US", client_phone: "(415) 555-2671" }),
    );
    expect(good).toEqual({});
    expect(String((await t.slack.waitFor("chat.postEphemeral")).args.text)).toBe(
      "Saved client *Acme Group*.",
    );
    expect(await findClientByName(t.database.db, "Acme Group")).toMatchObject({
      id: client.id,
      country: "US",
      phone: "+1 415 555 2671",
      expiryDays: null,
    });
  });

  it("adds a contact through a pushed modal and shows it in the client modal underneath", async () => {
    const client = await createAcme();
    const view = await openedView("client edit Acme Ltd");
    await t.driver.interactive(viewBlockAction(view, { viewId: EDIT_VIEW_ID }, "client_contact_add"));
    const pushed = viewOf<ModalView>(await t.slack.waitFor("views.push"));
    expect(pushed.callback_id).toBe("client_contact");
    expect(pushed.title.text).toBe("Add contact");
    expect(JSON.parse(pushed.private_metadata ?? "")).toEqual({
      channelId: "C0OPS",
      clientId: client.id,
      parentViewId: EDIT_VIEW_ID,
    });

    const bad = await submit(
      pushed,
      contactValues({ client_contact_email: "john", client_contact_phone: "1" }),
    );
    expect(Object.keys(bad.errors ?? {}).sort()).toEqual(["client_contact_email", "client_contact_phone"]);
    const good = await submit(
      pushed,
      contactValues({ client_contact_first_name: "John", client_contact_email: "john@acme.example" }),
    );
    expect(good).toEqual({});
    const update = await t.slack.waitFor("views.update");
    expect(update.args.view_id).toBe(EDIT_VIEW_ID);
    const refreshed = viewOf<ModalView>(update);
    expect(refreshed.callback_id).toBe("client_edit");
    const contacts = await listContacts(t.database.db, client.id);
    expect(contacts.map((contact) => [contact.firstName, contact.isDefault])).toEqual([
      ["Jane", true],
      ["John", false],
    ]);
    expect(blockIds(refreshed)).toEqual(
      expect.arrayContaining(contacts.map((contact) => `client_contact_row_${contact.id}`)),
    );
  });

  it("edits a contact prefilled, makes another the default and removes one", async () => {
    const client = await createAcme();
    const added = await addContact(t.database.db, client.id, {
      firstName: "John",
      lastName: "Roe",
      email: "john@acme.example",
      phone: "07911 123456",
    });
    if (!added.ok) throw new Error("fixture invalid");
    const john = added.value;
    const view = await openedView("client edit Acme Ltd");
    const menu = (selected: string) =>
      t.driver.interactive(
        viewBlockAction(view, { viewId: EDIT_VIEW_ID }, "client_contact_menu", {
          client_contact_menu: selected,
        }),
      );

    await menu(`edit:${john.id}`);
    const pushed = viewOf<ModalView>(await t.slack.waitFor("views.push"));
    expect(pushed.title.text).toBe("Edit contact");
    expect(initialValue(pushed, "client_contact_phone")).toBe("+44 7911 123456");
    expect(JSON.parse(pushed.private_metadata ?? "")).toMatchObject({ contactId: john.id });
    await submit(
      pushed,
      contactValues({ client_contact_first_name: "Johnny", client_contact_email: "john@acme.example" }),
    );
    await t.slack.waitFor("views.update");
    t.slack.reset();

    await menu(`default:${john.id}`);
    const afterDefault = viewOf<ModalView>(await t.slack.waitFor("views.update"));
    expect(
      findBlock<{ text: { text: string } }>(afterDefault, `client_contact_row_${john.id}`).text.text,
    ).toContain("*Johnny Doe* (default)");
    t.slack.reset();

    await menu(`remove:${john.id}`);
    const afterRemove = viewOf<ModalView>(await t.slack.waitFor("views.update"));
    expect(blockIds(afterRemove)).not.toContain(`client_contact_row_${john.id}`);
    expect(await listContacts(t.database.db, client.id)).toMatchObject([
      { firstName: "Jane", isDefault: true },
    ]);
  });

  it("will not remove the last contact, and says why in the modal", async () => {
    const client = await createAcme();
    const [jane] = await listContacts(t.database.db, client.id);
    const view = await openedView("client edit Acme Ltd");
    await t.driver.interactive(
      viewBlockAction(view, { viewId: EDIT_VIEW_ID }, "client_contact_menu", {
        client_contact_menu: `remove:${jane?.id}`,
      }),
    );
    const refreshed = viewOf<ModalView>(await t.slack.waitFor("views.update"));
    const notice = findBlock<{ elements: { text: string }[] }>(refreshed, "client_contacts_notice");
    expect(notice.elements[0]?.text).toContain("Jane Doe is this client's only contact");
    expect(await listContacts(t.database.db, client.id)).toHaveLength(1);
  });
});

describe("/ssl clients", () => {
  it("says how to add clients when there are none", async () => {
    await t.driver.slashCommand("clients");
    expect((await reply()).text).toContain("There are no clients yet");
  });

  it("lists clients with organisation, country, default contact and contact count, paging with Next/Previous", async () => {
    for (let index = 1; index <= 23; index += 1) {
      await createAcme({ name: `Client ${String(index).padStart(2, "0")}` });
    }
    await t.driver.slashCommand("clients");
    const first = await reply();
    expect(first.text).toMatch(/^Clients 1–20 of 23/);
    const blocks = first.blocks as {
      block_id?: string;
      text?: { text: string };
      elements?: { value: string }[];
    }[];
    expect(blocks.length).toBeLessThanOrEqual(50);
    const row = blocks.find((block) => block.block_id?.startsWith("client_list_row_"));
    expect(row?.text?.text).toBe(
      "*Client 01* · Acme Limited · United Kingdom (GB)\nDefault contact: Jane Doe &lt;jane@acme.example&gt; · 1 contact",
    );
    const pager = blocks.find((block) => block.block_id === "client_list_pages");
    expect(pager?.elements?.map((button) => button.value)).toEqual(["20"]);

    await t.driver.interactive(listButton("client_list_next", "20", "client_list_pages"));
    const second = await reply((text) => text.startsWith("Clients 21"));
    expect(second).toMatchObject({ replace_original: true });
    expect(second.text).toMatch(/^Clients 21–23 of 23: Client 21, Client 22, Client 23$/);
    const secondPager = (
      second.blocks as { block_id?: string; elements?: { action_id: string; value: string }[] }[]
    ).find((block) => block.block_id === "client_list_pages");
    expect(secondPager?.elements).toMatchObject([{ action_id: "client_list_previous", value: "0" }]);
  });

  it("opens the edit modal from a row's Edit button", async () => {
    const client = await createAcme();
    await t.driver.interactive(
      listButton("client_list_edit", String(client.id), `client_list_row_${client.id}`),
    );
    const view = viewOf<ModalView>(await t.slack.waitFor("views.open"));
    expect(view.callback_id).toBe("client_edit");
    expect(JSON.parse(view.private_metadata ?? "")).toEqual({ channelId: "C0OPS", clientId: client.id });
  });
});
