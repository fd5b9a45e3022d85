import { expect } from "vitest";

/**
 * A checker for Slack's documented Block Kit limits (docs.slack.dev "Block Kit" reference and the
 * @slack/types doc comments; see also /work/shared/slack.md). Slack refuses a whole view or message
 * with `invalid_blocks` / `invalid_arguments` when one field is over its limit, so views must clip.
 *
 * Lengths are counted in UTF-16 code units (`string.length`), which is at least Slack's character
 * count: a payload that passes here is within Slack's limit.
 *
 * Beyond the documented maxima it also checks a few things Slack needs for a view to work: non-empty
 * texts, a select's initial option among its options, a modal with inputs having a submit button, and
 * a plain_text_input's initial_value within its own max_length (Slack's docs do not say whether
 * views.open refuses that, but the person could not submit the prefilled value as it is).
 *
 * action_id: Slack asks for uniqueness "among all other action_ids in the containing block", and
 * views here deliberately share one action_id across rows (the value says which row). That is the
 * default; `{ actionIds: "surface" }` demands uniqueness across the whole view or message.
 */

export type Surface = "modal" | "home" | "message";

export interface BlockKitOptions {
  /** Where action_ids must be unique: within each block (Slack's rule, default) or the whole surface. */
  actionIds?: "block" | "surface";
}

const MAX_BLOCKS: Record<Surface, number> = { modal: 100, home: 100, message: 50 };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

class Checker {
  readonly problems: string[] = [];
  private readonly blockIds = new Map<string, string>();
  private readonly surfaceActionIds = new Map<string, string>();

  constructor(private readonly settings: Required<BlockKitOptions>) {}

  problem(path: string, message: string): void {
    this.problems.push(`${path}: ${message}`);
  }

  maxLength(path: string, value: unknown, max: number): void {
    if (typeof value !== "string") return;
    if (value.length > max) this.problem(path, `${value.length} > ${max} chars`);
  }

  maxItems(path: string, value: unknown, max: number, what = "items"): void {
    if (Array.isArray(value) && value.length > max) this.problem(path, `${value.length} > ${max} ${what}`);
  }

  /** A text object: `{type: plain_text | mrkdwn, text}`, non-empty and at most `max` characters. */
  text(path: string, value: unknown, max: number, options: { plainOnly?: boolean; required?: boolean } = {}) {
    if (value === undefined) {
      if (options.required) this.problem(path, "missing");
      return;
    }
    if (!isObject(value)) {
      this.problem(path, "not a text object");
      return;
    }
    if (value.type !== "plain_text" && value.type !== "mrkdwn") {
      this.problem(`${path}.type`, `"${String(value.type)}" is not plain_text or mrkdwn`);
    } else if (options.plainOnly && value.type !== "plain_text") {
      this.problem(`${path}.type`, "must be plain_text");
    }
    if (typeof value.text !== "string") {
      this.problem(`${path}.text`, "missing");
      return;
    }
    if (value.text.length === 0) this.problem(`${path}.text`, "empty");
    if (value.text.length > max) this.problem(`${path}.text`, `${value.text.length} > ${max} chars`);
  }

  blockId(path: string, id: unknown): void {
    if (id === undefined) return;
    if (typeof id !== "string" || id.length === 0) {
      this.problem(`${path}.block_id`, "not a non-empty string");
      return;
    }
    this.maxLength(`${path}.block_id`, id, 255);
    const earlier = this.blockIds.get(id);
    if (earlier !== undefined) this.problem(`${path}.block_id`, `duplicate "${id}" (also ${earlier})`);
    else this.blockIds.set(id, path);
  }

  actionId(path: string, id: unknown, inBlock: Map<string, string>): void {
    if (id === undefined) return;
    if (typeof id !== "string" || id.length === 0) {
      this.problem(`${path}.action_id`, "not a non-empty string");
      return;
    }
    this.maxLength(`${path}.action_id`, id, 255);
    const seen = this.settings.actionIds === "surface" ? this.surfaceActionIds : inBlock;
    const earlier = seen.get(id);
    if (earlier !== undefined) this.problem(`${path}.action_id`, `duplicate "${id}" (also ${earlier})`);
    else seen.set(id, path);
  }

  confirm(path: string, value: unknown): void {
    if (value === undefined) return;
    if (!isObject(value)) {
      this.problem(path, "not a confirmation dialog object");
      return;
    }
    this.text(`${path}.title`, value.title, 100, { plainOnly: true, required: true });
    this.text(`${path}.text`, value.text, 300, { required: true });
    this.text(`${path}.confirm`, value.confirm, 30, { plainOnly: true, required: true });
    this.text(`${path}.deny`, value.deny, 30, { plainOnly: true, required: true });
  }

  option(path: string, value: unknown): void {
    if (!isObject(value)) {
      this.problem(path, "not an option object");
      return;
    }
    this.text(`${path}.text`, value.text, 75, { required: true });
    this.maxLength(`${path}.value`, value.value, 150);
    this.text(`${path}.description`, value.description, 75);
  }

  /** Options or option groups; returns every option's value, to check initial options against. */
  optionList(path: string, element: Json, maxOptions: number): string[] | undefined {
    const values: string[] = [];
    const collect = (optionsPath: string, options: unknown) => {
      if (!Array.isArray(options)) return;
      this.maxItems(optionsPath, options, maxOptions, "options");
      options.forEach((option, index) => {
        this.option(`${optionsPath}[${index}]`, option);
        if (isObject(option) && typeof option.value === "string") values.push(option.value);
      });
    };
    if (element.options !== undefined && element.option_groups !== undefined) {
      this.problem(path, "has both options and option_groups");
    }
    if (element.options !== undefined) {
      if (!Array.isArray(element.options) || element.options.length === 0) {
        this.problem(`${path}.options`, "must be a non-empty array");
      }
      collect(`${path}.options`, element.options);
      return values;
    }
    if (element.option_groups !== undefined) {
      const groups = element.option_groups;
      if (!Array.isArray(groups) || groups.length === 0) {
        this.problem(`${path}.option_groups`, "must be a non-empty array");
        return values;
      }
      this.maxItems(`${path}.option_groups`, groups, 100, "option groups");
      groups.forEach((group, index) => {
        const groupPath = `${path}.option_groups[${index}]`;
        if (!isObject(group)) {
          this.problem(groupPath, "not an option group");
          return;
        }
        this.text(`${groupPath}.label`, group.label, 75, { plainOnly: true, required: true });
        collect(`${groupPath}.options`, group.options);
      });
      return values;
    }
    return undefined;
  }

  initialOptions(path: string, element: Json, values: string[] | undefined): void {
    const initial = [
      ...(element.initial_option !== undefined ? [["initial_option", element.initial_option]] : []),
      ...(Array.isArray(element.initial_options)
        ? element.initial_options.map((option, index) => [`initial_options[${index}]`, option])
        : []),
    ] as [string, unknown][];
    for (const [key, option] of initial) {
      this.option(`${path}.${key}`, option);
      if (values && isObject(option) && !values.includes(String(option.value))) {
        this.problem(`${path}.${key}`, `value "${String(option.value)}" is not among the options`);
      }
    }
  }

  element(path: string, element: unknown, inBlock: Map<string, string>): void {
    if (!isObject(element)) {
      this.problem(path, "not an element object");
      return;
    }
    this.actionId(path, element.action_id, inBlock);
    this.text(`${path}.placeholder`, element.placeholder, 150, { plainOnly: true });
    this.confirm(`${path}.confirm`, element.confirm);
    switch (element.type) {
      case "button":
        this.text(`${path}.text`, element.text, 75, { plainOnly: true, required: true });
        this.maxLength(`${path}.value`, element.value, 2000);
        this.maxLength(`${path}.url`, element.url, 3000);
        break;
      case "static_select":
      case "multi_static_select": {
        const values = this.optionList(path, element, 100);
        if (values === undefined) this.problem(path, "needs options or option_groups");
        this.initialOptions(path, element, values);
        break;
      }
      case "external_select":
      case "multi_external_select":
        this.initialOptions(path, element, undefined);
        break;
      case "overflow": {
        const values = this.optionList(path, element, 5);
        if (values === undefined) this.problem(path, "needs options");
        break;
      }
      case "checkboxes":
      case "radio_buttons": {
        const values = this.optionList(path, element, 10);
        if (values === undefined) this.problem(path, "needs options");
        this.initialOptions(path, element, values);
        break;
      }
      case "plain_text_input": {
        const max = element.max_length;
        if (typeof max === "number" && max > 3000) {
          this.problem(`${path}.max_length`, `${max} > 3000`);
        }
        if (typeof element.min_length === "number" && element.min_length > 3000) {
          this.problem(`${path}.min_length`, `${element.min_length} > 3000`);
        }
        if (typeof element.initial_value === "string" && typeof max === "number") {
          this.maxLength(`${path}.initial_value`, element.initial_value, max);
        }
        break;
      }
      default:
        break;
    }
  }

  block(path: string, block: unknown): "input" | "other" {
    if (!isObject(block)) {
      this.problem(path, "not a block object");
      return "other";
    }
    this.blockId(path, block.block_id);
    const inBlock = new Map<string, string>();
    switch (block.type) {
      case "section": {
        this.text(`${path}.text`, block.text, 3000);
        if (block.fields !== undefined) {
          if (!Array.isArray(block.fields)) {
            this.problem(`${path}.fields`, "not an array");
          } else {
            this.maxItems(`${path}.fields`, block.fields, 10, "fields");
            block.fields.forEach((field, index) => {
              this.text(`${path}.fields[${index}]`, field, 2000, { required: true });
            });
          }
        }
        if (block.text === undefined && block.fields === undefined) {
          this.problem(path, "a section needs text or fields");
        }
        if (block.accessory !== undefined) this.element(`${path}.accessory`, block.accessory, inBlock);
        return "other";
      }
      case "header":
        this.text(`${path}.text`, block.text, 150, { plainOnly: true, required: true });
        return "other";
      case "context": {
        const elements = block.elements;
        if (!Array.isArray(elements) || elements.length === 0) {
          this.problem(`${path}.elements`, "must be a non-empty array");
          return "other";
        }
        this.maxItems(`${path}.elements`, elements, 10, "elements");
        elements.forEach((element, index) => {
          if (isObject(element) && (element.type === "plain_text" || element.type === "mrkdwn")) {
            this.text(`${path}.elements[${index}]`, element, 3000);
          }
        });
        return "other";
      }
      case "actions": {
        const elements = block.elements;
        if (!Array.isArray(elements) || elements.length === 0) {
          this.problem(`${path}.elements`, "must be a non-empty array");
          return "other";
        }
        this.maxItems(`${path}.elements`, elements, 25, "elements");
        elements.forEach((element, index) => {
          this.element(`${path}.elements[${index}]`, element, inBlock);
        });
        return "other";
      }
      case "input":
        this.text(`${path}.label`, block.label, 2000, { plainOnly: true, required: true });
        this.text(`${path}.hint`, block.hint, 2000, { plainOnly: true });
        if (block.element === undefined) this.problem(`${path}.element`, "missing");
        else this.element(`${path}.element`, block.element, inBlock);
        return "input";
      case "divider":
        return "other";
      case "image":
        this.maxLength(`${path}.alt_text`, block.alt_text, 2000);
        this.maxLength(`${path}.image_url`, block.image_url, 3000);
        return "other";
      default:
        this.problem(`${path}.type`, `unknown block type "${String(block.type)}"`);
        return "other";
    }
  }
}

/** Every limit `payload` exceeds on `surface`, as "path: what is wrong"; empty when Slack would accept it. */
export function blockKitProblems(
  surface: Surface,
  payload: unknown,
  options: BlockKitOptions = {},
): string[] {
  const checker = new Checker({ actionIds: options.actionIds ?? "block" });
  if (!isObject(payload)) return ["payload: not an object"];

  if (surface === "modal" || surface === "home") {
    if (payload.type !== surface) checker.problem("type", `"${String(payload.type)}" is not "${surface}"`);
    checker.maxLength("private_metadata", payload.private_metadata, 3000);
    checker.maxLength("callback_id", payload.callback_id, 255);
    checker.maxLength("external_id", payload.external_id, 255);
  }
  if (surface === "modal") {
    checker.text("title", payload.title, 24, { plainOnly: true, required: true });
    checker.text("submit", payload.submit, 24, { plainOnly: true });
    checker.text("close", payload.close, 24, { plainOnly: true });
  }
  if (surface === "message") {
    if (typeof payload.text !== "string" || payload.text.trim().length === 0) {
      checker.problem("text", "a message needs a non-empty fallback text");
    }
  }

  const blocks = payload.blocks;
  if (blocks === undefined) {
    if (surface !== "message") checker.problem("blocks", "missing");
    return checker.problems;
  }
  if (!Array.isArray(blocks)) {
    checker.problem("blocks", "not an array");
    return checker.problems;
  }
  checker.maxItems("blocks", blocks, MAX_BLOCKS[surface], "blocks");
  const kinds = blocks.map((block, index) => checker.block(`blocks[${index}]`, block));
  if (surface === "modal" && kinds.includes("input") && payload.submit === undefined) {
    checker.problem("submit", "a modal with input blocks needs a submit button");
  }
  return checker.problems;
}

/** Fails the test with every problem listed when `payload` breaks a Block Kit limit. */
export function expectValidBlockKit(surface: Surface, payload: unknown, options: BlockKitOptions = {}): void {
  expect(blockKitProblems(surface, payload, options)).toEqual([]);
}

/** Every text in the payload (text objects, values, labels), joined: for "the person sees X" checks. */
export function allText(payload: unknown): string {
  const parts: string[] = [];
  const walk = (value: unknown) => {
    if (typeof value === "string") parts.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (isObject(value)) Object.values(value).forEach(walk);
  };
  walk(payload);
  return parts.join("\n");
}

/** Every action_id in the payload, in order (buttons, selects, overflow menus, inputs). */
export function actionIdsOf(payload: unknown): string[] {
  const ids: string[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (isObject(value)) {
      if (typeof value.action_id === "string") ids.push(value.action_id);
      Object.values(value).forEach(walk);
    }
  };
  walk(payload);
  return ids;
}

/** Every button in the payload, as `{ actionId, text, value, style, confirm }`. */
export function buttonsOf(payload: unknown): {
  actionId: string;
  text: string;
  value: string | undefined;
  style: string | undefined;
  confirm: Json | undefined;
}[] {
  const found: ReturnType<typeof buttonsOf> = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (isObject(value)) {
      if (value.type === "button" && isObject(value.text)) {
        found.push({
          actionId: String(value.action_id),
          text: String(value.text.text),
          value: typeof value.value === "string" ? value.value : undefined,
          style: typeof value.style === "string" ? value.style : undefined,
          confirm: isObject(value.confirm) ? value.confirm : undefined,
        });
      }
      Object.values(value).forEach(walk);
    }
  };
  walk(payload);
  return found;
}

/** The block with this block_id; fails the test when there is none. */
export function blockById<T extends { block_id?: string }>(blocks: T[], blockId: string): T {
  const block = blocks.find((candidate) => candidate.block_id === blockId);
  if (!block) throw new Error(`no block "${blockId}" among ${blocks.map((b) => b.block_id).join(", ")}`);
  return block;
}
