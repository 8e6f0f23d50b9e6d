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
    // Issue 7: manager escalation requests (seed 000) and major escalations (seed 001). The token's person is the actor.
    '/api/tickets/{ref}/escalation-requests': {
      post: { summary: 'Manager escalation request (managers, team leads, point persons, coordinators): reason required; the ticket must exist and be open; one open request per ticket (a second returns it, changed false). Coordinators told (claim action), executives copied', parameters: [ticketRef], requestBody: body({ reason: { type: 'string', maxLength: 2000 }, urgency: { type: 'string', enum: ['normal', 'urgent'] } }, ['reason']), responses: { '201': ok('The request'), '200': ok('The open request (nothing changed)'), ...errors } },
      get: { summary: 'The latest escalation request of the ticket', parameters: [ticketRef], responses: { '200': ok('The request'), ...errors } },
    },
    '/api/tickets/{ref}/escalation-requests/claim': { post: { summary: 'A coordinator claims the open request (compare-and-set: one wins; the others get 409 naming who claimed)', parameters: [ticketRef], responses: { '200': ok('The request'), ...errors } } },
    '/api/tickets/{ref}/escalation-requests/reviewed': { post: { summary: 'Checklist: ticket and history reviewed', parameters: [ticketRef], responses: { '200': ok('The request'), ...errors } } },
    '/api/tickets/{ref}/escalation-requests/eta': { post: { summary: 'Checklist: the estimated time, recorded and sent to the user (requester) with a copy to the executives', parameters: [ticketRef], requestBody: body({ eta: { type: 'string', format: 'date-time' }, message: { type: 'string' } }, ['eta', 'message']), responses: { '200': ok('The request'), ...errors } } },
    '/api/tickets/{ref}/escalation-requests/inform': { post: { summary: 'Checklist: tell the requesting manager the status', parameters: [ticketRef], requestBody: body({ message: { type: 'string' } }, ['message']), responses: { '200': ok('The request'), ...errors } } },
    '/api/tickets/{ref}/escalation-requests/engage': { post: { summary: "Checklist: engage the service owner (default: the team's manager), asked to follow up with the user", parameters: [ticketRef], requestBody: body({ ownerId: { type: 'string' }, message: { type: 'string' } }, ['message']), responses: { '200': ok('The request'), ...errors } } },
    '/api/tickets/{ref}/major': {
      post: { summary: 'Declare a major escalation (escalation managers): war room opened, summary pinned, escalation manager and incident owner invited. 200 with warRoomError when the room could not be created (declare again to retry)', parameters: [ticketRef], requestBody: body({ reason: { type: 'string', maxLength: 2000 } }, ['reason']), responses: { '201': ok('Declared, war room open'), '200': ok('Already declared, or declared without a war room'), ...errors } },
      get: { summary: 'The major escalation of the ticket (its own, or the one it is linked to), with its problem record', parameters: [ticketRef], responses: { '200': ok('The major escalation'), ...errors } },
    },
    '/api/tickets/{ref}/major/roles': { post: { summary: "Assign a role (escalation managers): invited to the war room, sent the role's instructions", parameters: [ticketRef], requestBody: body({ personId: { type: 'string' }, role: { type: 'string', enum: ['escalation_manager', 'incident_owner', 'abrm', 'problem_owner', 'vendor', 'sme'] } }, ['personId', 'role']), responses: { '200': ok('The major escalation'), ...errors } } },
    '/api/tickets/{ref}/major/tasks': { post: { summary: 'Add an action-plan task (the team); overdue tasks remind their owner and the escalation manager', parameters: [ticketRef], requestBody: body({ title: { type: 'string' }, ownerId: { type: 'string' }, dueAt: { type: 'string', format: 'date-time' } }, ['title', 'ownerId', 'dueAt']), responses: { '201': ok('The task'), ...errors } } },
    '/api/tickets/{ref}/major/tasks/{n}/done': { post: { summary: 'Close task n', parameters: [ticketRef, { name: 'n', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }], responses: { '200': ok('The task'), ...errors } } },
    '/api/tickets/{ref}/major/updates': { post: { summary: 'Customer / stakeholder update: sent to the requester, executives and major.stakeholders, posted in the war room; the cadence restarts', parameters: [ticketRef], requestBody: body({ text: { type: 'string', maxLength: 4000 } }, ['text']), responses: { '201': ok('Sent'), ...errors } } },
    '/api/tickets/{ref}/major/problem': { post: { summary: 'Create a problem record ({title}, numbered PRB-1000…) or relate the incident to an existing one ({number})', parameters: [ticketRef], requestBody: body({ number: { type: 'integer' }, title: { type: 'string' } }), responses: { '201': ok('Created'), '200': ok('Related'), ...errors } } },
    '/api/tickets/{ref}/major/recurrence': { post: { summary: "This ticket is the same incident as {of}'s major escalation; during the warranty it reopens the escalation and alerts the team", parameters: [ticketRef], requestBody: body({ of: { type: 'string' } }, ['of']), responses: { '200': ok('Linked'), ...errors } } },
    '/api/tickets/{ref}/major/satisfaction': { post: { summary: 'The customer (requester) or an escalation manager records satisfaction 1–5 after the warranty: ≥4 schedules the review, sends the report, closes and archives; ≤3 goes back to the escalation manager', parameters: [ticketRef], requestBody: body({ score: { type: 'integer', minimum: 1, maximum: 5 }, comment: { type: 'string' } }, ['score']), responses: { '200': ok('Recorded'), ...errors } } },
    '/api/tickets/{ref}/major/aar.md': { get: { summary: "The after-action report as Markdown, built from the ticket's timeline", parameters: [ticketRef], responses: { '200': { description: 'Markdown', content: { 'text/markdown': { schema: { type: 'string' } } } }, ...errors } } },
    '/api/tickets/{ref}/major/aar.pdf': { get: { summary: 'The after-action report as an A4 PDF', parameters: [ticketRef], responses: { '200': { description: 'PDF', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } }, ...errors } } },
    '/api/tickets/{ref}/major/aar/send': { post: { summary: 'Post the report in the war room (file) and email it (PDF and Markdown attached) to executives, major.aarRecipients, team managers and service owners (escalation managers)', parameters: [ticketRef], responses: { '200': ok('Who it went to'), ...errors } } },
  },
} as const;
