import { PNG } from "pngjs";
import type { RecordedCall, SlackApiFake } from "./slack-api-fake.js";

/**
 * The file a files upload v2 (WebClient.filesUploadV2) put in `channel`, once it completed: its
 * files.getUploadURLExternal call, the file's bytes, the completing call, and the bytes decoded as
 * a PNG.
 */
export async function uploadedPng(slack: SlackApiFake, channel: string) {
  const completed = await slack.waitFor(
    "files.completeUploadExternal",
    (call) => call.args.channel_id === channel,
  );
  const [file] = (completed.args.files ?? []) as { id: string; title: string }[];
  const requested = slack
    .callsTo("files.getUploadURLExternal")
    .find((call: RecordedCall) => call.answer?.file_id === file?.id);
  const raw = slack.uploads.get(file?.id ?? "");
  if (!file || !requested || !raw) throw new Error(`no file was uploaded to ${channel}`);
  const bytes = multipartFile(raw);
  return { completed, file, requested, bytes, png: PNG.sync.read(bytes) };
}

/** The file in the multipart body the WebClient posted to the upload URL (the fake keeps the body). */
function multipartFile(raw: Buffer): Buffer {
  const boundary = raw.subarray(0, raw.indexOf("\r\n")).toString();
  const start = raw.indexOf("\r\n\r\n") + 4;
  return raw.subarray(start, raw.indexOf(`\r\n${boundary}`, start));
}
