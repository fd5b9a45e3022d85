import { escapeMrkdwn } from "./blocks.js";

/** The words that go with a certificate's files in the person's DM, and the PFX password's line. */

export interface FileDeliveryText {
  reference: string;
  /** As shown to people (Unicode, not punycode). */
  domain: string;
  includesKey: boolean;
  hasPfx: boolean;
  /** Why there is no PFX although the key was sent, when so. */
  pfxUnavailable?: string;
  mayReceiveKey: boolean;
  keysEnabled: boolean;
}

export function filesCommentText(delivery: FileDeliveryText): string {
  const lines = [`Files of *${delivery.reference}* (${escapeMrkdwn(delivery.domain)}):`];
  if (delivery.includesKey) {
    lines.push(
      ":key: certificate, chain, full chain, *private key*" +
        (delivery.hasPfx ? " and a PFX bundle (its password follows, visible only to you)." : "."),
      "Keep the private key out of channels and tickets.",
    );
    if (delivery.pfxUnavailable) lines.push(`:warning: No PFX: ${delivery.pfxUnavailable}`);
  } else if (delivery.mayReceiveKey) {
    lines.push("certificate, chain and full chain. certdesk holds no private key for this order.");
  } else if (!delivery.keysEnabled) {
    lines.push(
      ":lock: certificate, chain and full chain. Private keys go to nobody until an admin names who may receive them in SSL_APPROVERS.",
    );
  } else {
    lines.push(":lock: certificate, chain and full chain. The private key goes to SSL_APPROVERS only.");
  }
  return lines.join("\n");
}

export function pfxPasswordText(reference: string, password: string): string {
  return (
    `:key: Password of the PFX bundle of *${reference}*: \`${password}\`\n` +
    "Shown once and only to you; certdesk keeps no copy. If it is lost, press *Send me the files* again for a new bundle."
  );
}
