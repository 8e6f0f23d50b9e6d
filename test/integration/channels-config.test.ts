import { expect } from 'chai';
import mongoose from 'mongoose';
import { ChannelConfigError, buildChannelAdapters } from '../../src/config/channels-env.js';

// A connection that was never opened: building the channels must not touch the database.
const ctx = { clock: { now: () => new Date() }, conn: mongoose.createConnection() };

describe('channels: env config', () => {
  it('with nothing set every channel is disabled, each saying which variables enable it', () => {
    const r = buildChannelAdapters({}, ctx);
    expect(r.notifiers).to.have.length(0);
    expect(r.disabled).to.have.length(4);
    expect(r.disabled.join('\n')).to.match(/TWILIO_ACCOUNT_SID/).and.match(/SMTP_URL/).and.match(/WEBHOOK_URL/).and.match(/NTFY_URL/);
  });

  it('reports every bad variable at once, by name, and never prints secrets', () => {
    try {
      buildChannelAdapters({ TWILIO_ACCOUNT_SID: 'XX123', TWILIO_AUTH_TOKEN: 'super-secret-token', TWILIO_FROM_NUMBER: '555-1234', WEBHOOK_URL: 'not a url' }, ctx);
      expect.fail('should throw');
    } catch (e) {
      expect(e).to.be.instanceOf(ChannelConfigError);
      const msg = (e as Error).message;
      expect(msg).to.match(/TWILIO_ACCOUNT_SID: must start with AC/).and.match(/TWILIO_FROM_NUMBER/).and.match(/WEBHOOK_URL/);
      expect(msg).to.not.include('super-secret-token');
    }
  });

  it('a half-configured channel is an error naming what is missing', () => {
    expect(() => buildChannelAdapters({ SMTP_URL: 'smtp://localhost:25' }, ctx)).to.throw(ChannelConfigError, /missing EMAIL_FROM, ESC_LINK_SECRET/);
  });

  it('a configured channel is built; its mounts come from the deps', () => {
    const r = buildChannelAdapters({ TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'token-123456', TWILIO_FROM_NUMBER: '+15005550006', NTFY_URL: 'http://127.0.0.1:1' }, ctx);
    expect(r.notifiers.map((n) => n.channel)).to.deep.equal(['sms', 'voice', 'push']);
    expect(r.disabled.join('\n')).to.not.match(/Twilio|push/);
  });
});
