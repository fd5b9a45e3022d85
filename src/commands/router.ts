import type { AllMiddlewareArgs, App } from "@slack/bolt";

/**
 * The `App` the features register on: `action`, `view` and `options` with a string id go into one
 * map per kind, served by a single Bolt listener each; everything else (RegExp and object
 * constraints, shortcuts, commands, events, middleware) goes to Bolt unchanged.
 *
 * Why: Bolt runs every registered listener's matchers for every request, each through its own
 * middleware chain and promises. With ~60 listeners that cost more CPU per command than `/ssl help`
 * itself (a profile of bench/ack-latency: Bolt's invokeMiddleware was the largest single item).
 * A map lookup makes the cost one listener per kind, whatever the number of buttons and forms.
 *
 * Bolt would run two listeners for one id; here the second registration of an id is an error, so
 * a copy-pasted id cannot make one click do two things.
 */

export type RoutedKind = "action" | "view" | "options";
type Kind = RoutedKind;
type Listener = (args: AllMiddlewareArgs & Record<string, unknown>) => Promise<unknown> | unknown;

/** The id Bolt matches each kind's string constraint against. */
const idOf: Record<Kind, (args: Record<string, unknown>) => string | undefined> = {
  action: (args) => (args.action as { action_id?: string } | undefined)?.action_id,
  view: (args) => (args.view as { callback_id?: string } | undefined)?.callback_id,
  options: (args) => (args.options as { action_id?: string } | undefined)?.action_id,
};

const KINDS = new Set<string>(["action", "view", "options"]);

export interface RoutedApp {
  /** What the features register on. */
  app: App;
  /** The string ids registered for a kind (the manifest test checks they are reachable). */
  ids(kind: Kind): string[];
}

export function routeById(app: App): RoutedApp {
  const routes: Record<Kind, Map<string, Listener>> = {
    action: new Map(),
    view: new Map(),
    options: new Map(),
  };
  const served = new Set<Kind>();
  const serve = (kind: Kind) => {
    if (served.has(kind)) return;
    served.add(kind);
    // One listener matching every id of its kind; Bolt's own filter keeps it to that kind.
    const dispatch = async (args: AllMiddlewareArgs & Record<string, unknown>) => {
      const id = idOf[kind](args);
      const listener = id === undefined ? undefined : routes[kind].get(id);
      if (listener) await listener(args);
    };
    (app[kind] as unknown as (constraint: RegExp, listener: typeof dispatch) => void).call(
      app,
      /^/,
      dispatch,
    );
  };
  const register =
    (kind: Kind) =>
    (constraint: unknown, ...listeners: Listener[]): void => {
      if (typeof constraint !== "string" || listeners.length !== 1) {
        (app[kind] as unknown as (...args: unknown[]) => void).call(app, constraint, ...listeners);
        return;
      }
      if (routes[kind].has(constraint)) throw new Error(`app.${kind}("${constraint}") is registered twice`);
      routes[kind].set(constraint, listeners[0] as Listener);
      serve(kind);
    };
  const routed = new Proxy(app, {
    get(target, property, receiver) {
      if (typeof property === "string" && KINDS.has(property)) return register(property as Kind);
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { app: routed, ids: (kind) => [...routes[kind].keys()] };
}
