import { createHmac, randomUUID } from "node:crypto";

/** Sends requests to the app exactly as Slack does: form bodies, signed with the signing secret. */

export interface DriverResponse {
  status: number;
  text: string;
  json(): unknown;
}

export interface SignOptions {
  /** Unix seconds to sign with; default now. */
  timestamp?: number;
  /** Send no signature headers at all. */
  unsigned?: boolean;
  /** Change the body after signing. */
  tamper?: (body: string) => string;
  /** Events API requests are JSON; everything else Slack sends is a form. */
  contentType?: string;
}

export interface CommandOptions extends SignOptions {
  userId?: string;
  channelId?: string;
  responseUrl?: string;
  triggerId?: string;
}

export class SlackDriver {
  constructor(
    private readonly appUrl: string,
    private readonly signingSecret: string,
    private readonly defaults: {
      teamId: string;
      userId: string;
      channelId: string;
      responseUrl: () => string;
    },
  ) {}

  slashCommand(text: string, options: CommandOptions = {}): Promise<DriverResponse> {
    const form = new URLSearchParams({
      token: "legacy-verification-token",
      team_id: this.defaults.teamId,
      team_domain: "acme",
      channel_id: options.channelId ?? this.defaults.channelId,
      channel_name: "ssl-ops",
      user_id: options.userId ?? this.defaults.userId,
      user_name: "ann",
      command: "/ssl",
      text,
      api_app_id: "A0TEST",
      is_enterprise_install: "false",
      response_url: options.responseUrl ?? this.defaults.responseUrl(),
      trigger_id: options.triggerId ?? `trigger-${randomUUID()}`,
    });
    return this.post(form.toString(), options);
  }

  /** block_actions, view_submission, block_suggestion, message_action: `payload=<json>`. */
  interactive(payload: Record<string, unknown>, options: SignOptions = {}): Promise<DriverResponse> {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return this.post(body, options);
  }

  async post(body: string, options: SignOptions = {}): Promise<DriverResponse> {
    const headers: Record<string, string> = {
      "content-type": options.contentType ?? "application/x-www-form-urlencoded",
    };
    if (!options.unsigned) {
      const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
      headers["x-slack-request-timestamp"] = String(timestamp);
      headers["x-slack-signature"] = sign(this.signingSecret, timestamp, body);
    }
    const sent = options.tamper ? options.tamper(body) : body;
    const response = await fetch(`${this.appUrl}/slack/events`, { method: "POST", headers, body: sent });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) as unknown };
  }
}

export function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}
