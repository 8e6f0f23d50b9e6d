/** One API token per demo person (issue 7 tests): the token's person is the actor. Erin's is an admin token. */
export const PEOPLE_TOKENS =
  ['ken', 'erin', 'frank', 'judy', 'alice', 'bob', 'carol', 'dana', 'grace', 'henry', 'ivan'].map((p) => `${p}-token-000001:${p === 'erin' ? 'admin' : 'agent'}:${p}`).join(',') + ',nobody-token-0001:agent';
export const tok = (p: string) => `${p}-token-000001`;
