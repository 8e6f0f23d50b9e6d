import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line written while answering one HTTP request carries: its request id. */
export interface RequestContext {
  reqId: string;
}

const store = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` (and everything it awaits) with this request id in the log context. */
export function withRequestContext<T>(ctx: RequestContext, fn: () => T): T {
  return store.run(ctx, fn);
}

/** The current request's context, if any (use-case logs pick the id up through the logger's mixin). */
export function currentRequest(): RequestContext | undefined {
  return store.getStore();
}
