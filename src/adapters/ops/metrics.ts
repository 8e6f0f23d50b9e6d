import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestHandler } from 'express';
import type { Notifier, SendResult } from '../../app/ports/notifier.js';
import type { TimelineEvent, TimelineRepository } from '../../app/ports/timeline.js';

/**
 * Esc's Prometheus metrics (issue 17). One registry per Esc instance (tests run several in
 * one process); the process metrics are added when /metrics is first scraped.
 */
export class EscMetrics {
  readonly registry = new Registry();
  private defaults = false;
  readonly enginePass = new Histogram({ name: 'esc_engine_pass_duration_seconds', help: 'Duration of one engine pass', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry] });
  readonly enginePassFailures = new Counter({ name: 'esc_engine_pass_failures_total', help: 'Engine passes that failed (retried on the next pass)', registers: [this.registry] });
  readonly stepLateness = new Histogram({ name: 'esc_step_lateness_seconds', help: 'From when an escalation step was due to when its message left', labelNames: ['channel'], buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300], registers: [this.registry] });
  readonly deliveries = new Counter({ name: 'esc_deliveries_total', help: 'Delivery outcomes by channel (sent, delivered, outboxed = not sent, rate_limited = waiting on the provider, retrying, failed, cancelled)', labelNames: ['channel', 'outcome'], registers: [this.registry] });
  readonly retries = new Counter({ name: 'esc_delivery_retries_total', help: 'Deliveries put back for another attempt', labelNames: ['channel'], registers: [this.registry] });
  readonly provider429 = new Counter({ name: 'esc_provider_rate_limited_total', help: 'Sends a provider refused with 429 / rate limited', labelNames: ['channel'], registers: [this.registry] });
  readonly ticketsOpened = new Counter({ name: 'esc_tickets_opened_total', help: 'Tickets opened, by source (api, slack, teams, alert, sms, email...)', labelNames: ['source'], registers: [this.registry] });
  readonly activeEscalations = new Gauge({ name: 'esc_active_escalations', help: 'Escalations running now (refreshed by the readiness check)', registers: [this.registry] });
  readonly httpLatency = new Histogram({ name: 'esc_http_request_duration_seconds', help: 'HTTP request latency by front end (slack, teams, twilio, email, api, ops)', labelNames: ['front', 'method', 'status'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [this.registry] });
  readonly ready = new Gauge({ name: 'esc_ready', help: '1 when /readyz answers 200', registers: [this.registry] });

  async text(): Promise<string> {
    if (!this.defaults) {
      this.defaults = true;
      collectDefaultMetrics({ register: this.registry, prefix: 'esc_' });
    }
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Counts ticket openings and delivery outcomes from the events the timeline stores. */
  observeEvents(events: TimelineEvent[]): void {
    for (const e of events) {
      const d = e.data ?? {};
      if (e.type === 'ticket.opened') {
        const source = typeof d.source === 'string' ? d.source : (e.actor?.via ?? 'unknown');
        this.ticketsOpened.inc({ source: source.slice(0, 32) });
      } else if (e.type.startsWith('delivery.')) {
        const channel = typeof d.channel === 'string' ? d.channel : 'unknown';
        const outcome = e.type.slice('delivery.'.length);
        if (!OUTCOMES.has(outcome)) continue;
        this.deliveries.inc({ channel, outcome });
        if (outcome === 'retrying') this.retries.inc({ channel });
        if ((outcome === 'sent' || outcome === 'outboxed') && typeof d.lateMs === 'number') this.stepLateness.observe({ channel }, d.lateMs / 1000);
      }
    }
  }
}

const OUTCOMES = new Set(['sent', 'delivered', 'outboxed', 'rate_limited', 'retrying', 'failed', 'cancelled']);
const LIMITED = /429|rate.?limit|ratelimited|throttl|too.?many/i;

/** A notifier that counts the sends a provider refused for rate (429); the dispatcher's contract is unchanged. */
export class MeteredNotifier implements Notifier {
  readonly channel;
  readonly name;
  constructor(
    private readonly inner: Notifier,
    private readonly metrics: EscMetrics,
  ) {
    this.channel = inner.channel;
    this.name = inner.name;
  }

  async send(...args: Parameters<Notifier['send']>): Promise<SendResult> {
    const r = await this.inner.send(...args);
    if (!r.ok && (r.rateLimited === true || LIMITED.test(r.code) || LIMITED.test(r.message))) this.metrics.provider429.inc({ channel: this.channel });
    return r;
  }
}

/** The timeline, counting what it stores on the way (tickets opened, step lateness). */
export function meteredTimeline(inner: TimelineRepository, metrics: EscMetrics): TimelineRepository {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'append') {
        return async (...[events, opts]: Parameters<TimelineRepository['append']>) => {
          await target.append(events, opts);
          metrics.observeEvents(events);
        };
      }
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Which front end a path belongs to, for the latency histogram (bounded label values). */
export function frontOf(path: string): string {
  if (path.startsWith('/slack')) return 'slack';
  if (path.startsWith('/teams') || path.startsWith('/api/messages')) return 'teams';
  if (path.startsWith('/twilio')) return 'twilio';
  if (path.startsWith('/email') || path.startsWith('/act')) return 'email';
  if (path.startsWith('/api')) return 'api';
  if (path === '/healthz' || path === '/readyz' || path === '/metrics') return 'ops';
  return 'other';
}

export function latencyMiddleware(metrics: EscMetrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpLatency.startTimer();
    const path = req.path;
    res.once('finish', () => end({ front: frontOf(path), method: req.method, status: String(res.statusCode) }));
    next();
  };
}
