/**
 * What a person does with an email link: open it (a confirmation page, nothing happens), then
 * press its button, which POSTs the token back. Returns the POST's answer.
 */
export async function pressEmailLink(link: string): Promise<Response> {
  const u = new URL(link);
  const opened = await fetch(link);
  if (opened.status !== 200) return opened;
  const html = await opened.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const token = /name="token" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !token) throw new Error(`no confirmation form on ${u.pathname}: ${html.slice(0, 200)}`);
  return fetch(new URL(action, link), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }) });
}
