import type { ApolloServerPlugin, GraphQLRequestListener } from "@apollo/server";

/** The request hooks the service's own listeners use; `combineListeners` calls each in turn. */
type Hook = "didResolveOperation" | "didEncounterErrors" | "willSendResponse";

/**
 * One Apollo plugin for the service's per-request concerns (metrics, limits, error logging, error
 * messages, outage answers), each written as a listener that holds no per-request state, so one
 * listener object serves every request. Apollo awaits every listener of every plugin at each
 * stage of every request (`Promise.all` over the listeners, a dozen stages), so a plugin per
 * concern would cost each request some fifty promises for hooks that are mostly absent; the
 * combined listener has only the hooks some listener defines, and runs them in the given order.
 */
export function requestListenersPlugin<Context extends object>(
  listeners: GraphQLRequestListener<Context>[],
): ApolloServerPlugin<Context> {
  const combined: GraphQLRequestListener<Context> = {};
  const hooks: Hook[] = ["didResolveOperation", "didEncounterErrors", "willSendResponse"];
  for (const hook of hooks) {
    const defined = listeners.flatMap((listener) => {
      const fn = listener[hook] as ((context: unknown) => Promise<void>) | undefined;
      return fn ? [fn.bind(listener)] : [];
    });
    if (defined.length === 0) continue;
    (combined[hook] as (context: unknown) => Promise<void>) = async (context) => {
      for (const fn of defined) await fn(context);
    };
  }
  const validation = listeners.flatMap((listener) =>
    listener.validationDidStart ? [listener.validationDidStart.bind(listener)] : [],
  );
  if (validation.length > 0) {
    // Runs only when a document is parsed and validated (not cached yet): its ends run in order.
    combined.validationDidStart = async (context) => {
      const ends = await Promise.all(validation.map((start) => start(context)));
      return async (errors) => {
        for (const end of ends) await end?.(errors);
      };
    };
  }
  for (const listener of listeners) {
    for (const hook of Object.keys(listener)) {
      if (!(hooks as string[]).includes(hook) && hook !== "validationDidStart") {
        throw new Error(`requestListenersPlugin does not combine ${hook} hooks`);
      }
    }
  }
  return {
    async requestDidStart() {
      return combined;
    },
  };
}
