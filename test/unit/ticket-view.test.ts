import { expect } from 'chai';
import { ticketBlocks } from '../../src/adapters/slack/blocks.js';
import { ticketCard } from '../../src/adapters/teams/teams-cards.js';
import type { TicketAction } from '../../src/app/views/ticket-view.js';
import { actionsForState, changesTicketView, ticketViewOf } from '../../src/app/views/ticket-view.js';
import { Directory } from '../../src/domain/directory.js';
import type { Ticket } from '../../src/domain/ticket.js';
import { at, demoOrg, makeTicket } from '../fixtures/domain.js';

const NOW = at('2026-11-23T17:00:00Z');
const dir = new Directory(demoOrg());
const assigned = makeTicket('assigned', { teamId: 'service-desk', assigneeId: 'alice', requesterId: 'judy' });
const ALL: TicketAction[] = ['ack', 'escalate', 'elevate', 'resolve', 'history'];

const slackActions = (t: Ticket, viewer: string | null) => {
  const blocks = ticketBlocks(ticketViewOf(dir, t, null, viewer, NOW));
  const buttons = blocks.find((b) => b.type === 'actions') as { elements: { action_id: string }[] };
  return buttons.elements.map((e) => e.action_id);
};
const teamsVerbs = (t: Ticket, viewer: string | null) => ((ticketCard(ticketViewOf(dir, t, null, viewer, NOW)).actions as { verb: string }[] | undefined) ?? []).map((a) => a.verb);

describe('TicketView: the actions a message offers, per viewer', () => {
  const table: [string, string | null, TicketAction[]][] = [
    ['a channel post (nobody in particular): what the state allows', null, ALL],
    ['the assignee (technician, seed 000): acknowledge, resolve, history; no Escalate, no Elevate', 'alice', ['ack', 'resolve', 'history']],
    ['the team manager: everything', 'dana', ALL],
    ['an admin / escalation manager: everything', 'erin', ALL],
    ['a point person off the team (seed 000): request escalation, elevate, history', 'ken', ['escalate', 'elevate', 'history']],
    ['the requester: only the history', 'judy', ['history']],
    ['someone the directory does not know: nothing', 'nobody', []],
  ];
  for (const [name, viewer, expected] of table) {
    it(name, () => {
      expect(ticketViewOf(dir, assigned, null, viewer, NOW).actions).to.deep.equal(expected);
    });
  }

  it('the state decides first: acknowledged has no Acknowledge, elevated no Elevate, resolved only History', () => {
    expect(actionsForState(makeTicket('acknowledged'))).to.deep.equal(['escalate', 'elevate', 'resolve', 'history']);
    expect(actionsForState(makeTicket('assigned', { elevated: true }))).to.deep.equal(['ack', 'escalate', 'resolve', 'history']);
    expect(actionsForState(makeTicket('resolved'))).to.deep.equal(['history']);
    const acked = makeTicket('acknowledged', { teamId: 'service-desk', acknowledgedBy: 'alice', acknowledgedAt: NOW });
    expect(ticketViewOf(dir, acked, null, 'dana', NOW).actions).to.deep.equal(['escalate', 'elevate', 'resolve', 'history']);
  });

  it('Slack and Teams render exactly the view\'s actions, with the same action ids and verbs as before', () => {
    expect(slackActions(assigned, null)).to.deep.equal(['esc_ack', 'esc_escalate', 'esc_elevate', 'esc_resolve', 'esc_history']);
    expect(slackActions(assigned, 'judy')).to.deep.equal(['esc_history']);
    expect(slackActions(assigned, 'ken')).to.deep.equal(['esc_escalate', 'esc_elevate', 'esc_history']);
    expect(teamsVerbs(assigned, null)).to.deep.equal(['ack', 'escalate.form', 'elevate', 'resolve', 'history']);
    expect(teamsVerbs(assigned, 'alice')).to.deep.equal(['ack', 'resolve', 'history']);
    expect(teamsVerbs(assigned, 'judy')).to.deep.equal(['history']);
  });

  it('names, labels and the acknowledgement come resolved in the view; renderers only format them', () => {
    const acked = makeTicket('acknowledged', { teamId: 'service-desk', acknowledgedBy: 'alice', acknowledgedAt: NOW, escalated: true, escalationKind: 'manager_request', elevated: true });
    const v = ticketViewOf(dir, acked, null, null, NOW);
    expect(v).to.include({ key: 'ESC-1042', teamName: 'Service Desk', assigneeName: 'Alice Ng', requesterName: 'Judy Alvarez', acknowledgedBy: 'Alice Ng', escalationLabel: 'ESCALATED · manager request  ·  ELEVATED' });
    expect(JSON.stringify(ticketBlocks(v))).to.include('Acknowledged by Alice Ng');
    expect(JSON.stringify(ticketCard(v))).to.include('Acknowledged by Alice Ng');
  });

  it('a Teams card lists who gets their own view (refresh.userIds, at most 60) and asks with the refresh verb', () => {
    const card = ticketCard(ticketViewOf(dir, assigned, null, null, NOW), undefined, Array.from({ length: 70 }, (_, i) => `29:user-${i}`));
    const refresh = card.refresh as { action: { type: string; verb: string; data: { ticket: string } }; userIds: string[] };
    expect(refresh.action).to.deep.include({ type: 'Action.Execute', verb: 'refresh' });
    expect(refresh.action.data.ticket).to.equal('ESC-1042');
    expect(refresh.userIds).to.have.length(60);
    expect(ticketCard(ticketViewOf(dir, assigned, null, null, NOW))).to.not.have.property('refresh');
  });

  it('events that change what a message shows mark it stale; deliveries and comments do not', () => {
    for (const t of ['ticket.acknowledged', 'ticket.resolved', 'ticket.elevated', 'escalation.started', 'escalation.step_fired', 'major.declared']) expect(changesTicketView(t), t).to.equal(true);
    for (const t of ['delivery.sent', 'delivery.failed', 'ticket.commented', 'alert.repeated', 'escalation.audit_stuck']) expect(changesTicketView(t), t).to.equal(false);
  });
});
