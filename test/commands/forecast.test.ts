import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { insertForecastCertificates } from "../support/forecast.js";
import { useTestApp } from "../support/harness.js";
import { uploadedPng } from "../support/uploads.js";

/**
 * `/ssl forecast` through the real Bolt app: acked at once, then the chart is uploaded into the
 * channel the command came from (files upload v2 against the Slack API fake).
 */

const t = useTestApp({ env: { SSL_CHANNEL: "C0SSL", TZ: "Europe/London" } });

beforeAll(async () => {
  await t.app.catalogue.get();
});

/**
 * Seen from the TestClock's 27 November 2026: one certificate reissued (expires 6 January, due 7
 * December), one renewed (expires 26 January, due 27 December, 8.95 USD), one beyond 26 weeks.
 */
async function someCertificates() {
  await insertForecastCertificates(t.database.db, t.clock.now());
}

describe("/ssl forecast", () => {
  beforeEach(someCertificates);

  it("acks at once, then uploads the chart as a 1200 × 600 PNG into the channel it was typed in", async () => {
    const response = await t.driver.slashCommand("forecast", { channelId: "C0TEAM" });
    expect(response.status).toBe(200);
    expect(response.text).toBe("");

    const { completed, file, requested, png } = await uploadedPng(t.slack, "C0TEAM");
    expect(requested.args).toMatchObject({ filename: "certdesk-forecast-2026-W48.png" });
    expect(String(requested.args.alt_text)).toContain(
      "Bar chart per week, 23 Nov 2026 – 23 May 2027: 2 certificates expiring, 1 reissue and 1 renewal due",
    );
    expect(file.title).toBe("certdesk — next 26 weeks (23 Nov 2026 – 23 May 2027)");
    expect(String(completed.args.initial_comment)).toMatch(
      /^<@U0ANN> asked for the forecast\. \*certdesk — next 26 weeks\* \(23 Nov 2026 – 23 May 2027, weeks from Monday in Europe\/London\): 2 certificates expiring, 1 reissue and 1 renewal due; renewals 8\.95 USD\./,
    );
    expect([png.width, png.height]).toEqual([1200, 600]);
    // Nothing else was said: no ephemeral reply, nothing in SSL_CHANNEL.
    expect(t.slack.callsTo("response_url")).toEqual([]);
    expect(t.slack.callsTo("chat.postMessage")).toEqual([]);
  });

  it("tells only the person, where they are, when Slack will not take the chart in that channel", async () => {
    t.slack.on("files.completeUploadExternal", () => ({ body: { ok: false, error: "not_in_channel" } }));
    const response = await t.driver.slashCommand("forecast", { channelId: "C0ELSEWHERE" });
    expect(response.status).toBe(200);
    const told = await t.slack.waitFor("response_url");
    expect(told.args).toMatchObject({ response_type: "ephemeral" });
    expect(String(told.args.text)).toBe(
      ":warning: I could not post the forecast chart in this conversation (Slack said `not_in_channel`). " +
        "Invite me with `/invite @certdesk`, or type `/ssl forecast` in a direct message with me.",
    );
  });

  it("is in /ssl help", async () => {
    const body = (await t.driver.slashCommand("help")).json() as { text: string };
    expect(body.text).toContain("`/ssl forecast` — a chart of the next 26 weeks");
  });
});
