import type { App } from "@slack/bolt";
import { CLIENT_BLOCKS } from "../../views/client-modal.js";
import { countrySuggestions } from "../../views/countries.js";
import { ORDER_ACTIONS } from "../../views/order-modal.js";
import type { Feature } from "../context.js";

/**
 * The Country menus of the order and client forms (external selects): the countries for what was
 * typed. What is chosen is checked again on submit (checkCountry), like any input.
 */
export const countriesFeature: Feature = {
  register(app: App) {
    for (const actionId of [ORDER_ACTIONS.country, CLIENT_BLOCKS.country]) {
      app.options(actionId, async ({ options, ack }) => {
        const typed = typeof options.value === "string" ? options.value.slice(0, 100) : "";
        await ack(countrySuggestions(typed));
      });
    }
  },
};
