/** The API, described for people and tools (served at GET /openapi.json). */
const bearer = [{ bearer: [] }];
const ticketRef = { name: 'ref', in: 'path', required: true, description: 'ESC-1042, 1042 or the ticket id', schema: { type: 'string' } };
const ok = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
const errors = { '400': ok('Invalid input: the message names the field'), '401': ok('No valid API token'), '403': ok('The token role may not do this'), '404': ok('Not found'), '409': ok('Invalid transition') };
const body = (props: Record<string, unknown>, required: string[] = []) => ({ required: true, content: { 'application/json': { schema: { type: 'object', additionalProperties: false, properties: props, required } } } });
const priority = { type: 'string', enum: ['P1', 'P2', 'P3', 'P4'] };
const reportParams = [
  { name: 'period', in: 'query', description: 'today, 7d, 30d (default), quarter, or custom with from and to', schema: { type: 'string', enum: ['today', '7d', '30d', 'quarter', 'custom'] } },
  { name: 'from', in: 'query', description: 'custom period: first organisation-local day, YYYY-MM-DD', schema: { type: 'string', format: 'date' } },
  { name: 'to', in: 'query', description: 'custom period: last organisation-local day (inclusive), YYYY-MM-DD', schema: { type: 'string', format: 'date' } },
  { name: 'team', in: 'query', schema: { type: 'string' } },
  { name: 'priority', in: 'query', schema: priority },
  { name: 'plan', in: 'query', schema: { type: 'string' } },
  { name: 'channel', in: 'query', description: 'where tickets came from: slack, teams, api, alert, email, sms', schema: { type: 'string' } },
  { name: 'kind', in: 'query', schema: { type: 'string', enum: ['automatic', 'manager_request', 'major', 'elevated'] } },
];

export const openApiDocument = {
  openapi: '3.1.0',
  info: { title: 'Esc API', version: '1', description: 'Tickets, escalations, alert intake and plan dry-runs. Authenticate with "Authorization: Bearer <token>" (ESC_API_TOKENS).' },
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  security: bearer,
  paths: {
    '/healthz': { get: { security: [], summary: 'Health: 200 when the database answers, else 503', responses: { '200': ok('up'), '503': ok('database down') } } },
    '/api/tickets': {
      post: { summary: 'Open a ticket', requestBody: body({ title: { type: 'string', maxLength: 200 }, description: { type: 'string' }, priority, impact: { type: 'string', enum: ['low', 'medium', 'high', 'extensive'] }, teamId: { type: 'string' }, requesterId: { type: 'string' }, assigneeId: { type: 'string' } }, ['title', 'priority']), responses: { '201': ok('The ticket'), ...errors } },
      get: { summary: 'List tickets', parameters: ['status', 'priority', 'team', 'assignee', 'escalated', 'elevated', 'limit', 'skip'].map((n) => ({ name: n, in: 'query', schema: { type: 'string' } })), responses: { '200': ok('Tickets, newest first'), ...errors } },
    },
    '/api/tickets/{ref}': { get: { summary: 'One ticket with its escalations', parameters: [ticketRef], responses: { '200': ok('The ticket'), ...errors } } },
    '/api/tickets/{ref}/timeline': { get: { summary: 'The append-only timeline', parameters: [ticketRef], responses: { '200': ok('Events, oldest first'), ...errors } } },
    '/api/tickets/{ref}/acknowledge': { post: { summary: 'Acknowledge: stops the escalation', parameters: [ticketRef], requestBody: body({ note: { type: 'string' } }), responses: { '200': ok('What happened'), ...errors } } },
    '/api/tickets/{ref}/resolve': { post: { summary: 'Resolve: ends the escalation', parameters: [ticketRef], requestBody: body({ note: { type: 'string' } }), responses: { '200': ok('What happened'), ...errors } } },
    '/api/tickets/{ref}/escalate': { post: { summary: 'Escalate now: next (or chosen) step at once; starts the plan if none runs', parameters: [ticketRef], requestBody: body({ step: { type: 'integer', minimum: 1 }, reason: { type: 'string' } }), responses: { '200': ok('What happened'), ...errors } } },
    '/api/tickets/{ref}/actions': { post: { summary: 'assign, start, pend (SLA pauses), resume, close, reopen', parameters: [ticketRef], requestBody: body({ action: { type: 'string', enum: ['assign', 'start', 'pend', 'resume', 'close', 'reopen'] }, assigneeId: { type: 'string' }, reason: { type: 'string' } }, ['action']), responses: { '200': ok('The ticket'), ...errors } } },
    '/api/tickets/{ref}/comments': { post: { summary: 'Comment', parameters: [ticketRef], requestBody: body({ text: { type: 'string' } }, ['text']), responses: { '201': ok('The event'), ...errors } } },
    '/api/tickets/{ref}/elevate': { post: { summary: 'Elevate: flag as important without the full process', parameters: [ticketRef], requestBody: body({ reason: { type: 'string' } }), responses: { '200': ok('The ticket'), ...errors } } },
    '/api/tickets/{ref}/move': { post: { summary: 'Functional escalation: move to a higher-tier team', parameters: [ticketRef], requestBody: body({ teamId: { type: 'string' }, reason: { type: 'string' } }), responses: { '200': ok('The ticket'), ...errors } } },
    '/api/tickets/{ref}/notify-management': { post: { summary: 'Hierarchical escalation: tell the next manager up', parameters: [ticketRef], requestBody: body({ reason: { type: 'string' } }), responses: { '200': ok('Who was told'), ...errors } } },
    '/api/alerts': { post: { summary: 'Alert intake: one open ticket per dedupKey', requestBody: body({ dedupKey: { type: 'string', maxLength: 255 }, title: { type: 'string' }, description: { type: 'string' }, priority, teamId: { type: 'string' }, source: { type: 'string' } }, ['dedupKey', 'title']), responses: { '201': ok('A new ticket'), '200': ok('Added to the open ticket'), ...errors } } },
    '/api/plans': { get: { summary: 'Escalation plans', responses: { '200': ok('Plans') } } },
    '/api/plans/validate': { post: { summary: 'Check a plan (the org file\'s plan shape): 200 when valid, 422 with every problem by path', requestBody: body({ id: { type: 'string' }, name: { type: 'string' }, match: { type: 'object' }, steps: { type: 'array' }, repeat: { type: 'object' } }, ['id', 'name', 'steps']), responses: { '200': ok('Valid'), '422': ok('Problems'), ...errors } } },
    '/api/plans/{id}/simulate': { post: { summary: 'Dry-run: who would be notified, how and when', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], requestBody: body({ priority, teamId: { type: 'string' }, assigneeId: { type: 'string' }, start: { type: 'string', format: 'date-time' }, startAt: { type: 'string', enum: ['breach', 'now'] } }, ['priority']), responses: { '200': ok('The simulated steps'), ...errors } } },
    '/api/escalations/{id}': { get: { summary: 'One escalation', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': ok('The escalation'), ...errors } } },
    '/api/outbox': { get: { summary: 'Messages: queued, sent, failed, and outboxed (NOT sent: no channel configured)', parameters: [{ name: 'status', in: 'query', schema: { type: 'string' } }, { name: 'ticket', in: 'query', schema: { type: 'string' } }], responses: { '200': ok('Deliveries') } } },
    '/api/directory/people': { get: { summary: 'People', responses: { '200': ok('People') } } },
    '/api/directory/teams': { get: { summary: 'Teams with who is on call (at=ISO time)', responses: { '200': ok('Teams') } } },
    '/api/reports': { get: { summary: 'Report (reports:read): SLA compliance, breaches, time to acknowledge/resolve p50/p90, escalations by level and kind, acknowledgements by step/channel/person, slowest tickets, coordinator response, satisfaction, the previous period and daily counts', parameters: reportParams, responses: { '200': ok('The report'), ...errors } } },
    '/api/reports.csv': { get: { summary: 'The report\'s tickets as CSV (RFC 4180; columns: REPORT_CSV_COLUMNS, ISO 8601 UTC times), as an attachment', parameters: reportParams, responses: { '200': { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } }, ...errors } } },
    '/api/reports/chart.png': { get: { summary: 'The report chart (800×400 PNG): tickets opened, acknowledged and response breaches per day (per week over a quarter)', parameters: reportParams, responses: { '200': { description: 'PNG', content: { 'image/png': { schema: { type: 'string', format: 'binary' } } } }, ...errors } } },
    '/api/tickets/{ref}/history': { get: { summary: 'History: created, each step (due, sent, lateness, channel, target, delivery status), acknowledgement, escalation requests and coordinator actions, comments, resolution', parameters: [ticketRef], responses: { '200': ok('Rows, oldest first'), ...errors } } },
  },
} as const;
