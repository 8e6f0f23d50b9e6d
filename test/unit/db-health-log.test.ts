import { expect } from 'chai';
import { DbHealthLog } from '../../src/adapters/agenda/db-health-log.js';

function recorder() {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (_o: object | string, msg?: string) => void lines.push({ level, msg: msg ?? '' });
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } };
}

describe('DbHealthLog (issue 13: an outage is one WARN and one INFO)', () => {
  it('many failures are one WARN; the first success after them is one INFO', () => {
    let now = 1000;
    const { lines, log } = recorder();
    const h = new DbHealthLog(log, 'engine', () => now);
    h.down(new Error('ECONNREFUSED'));
    now += 10;
    h.down(new Error('ECONNREFUSED'));
    now += 10;
    h.up(now - 1);
    h.up(now);
    expect(lines.map((l) => l.level)).to.deep.equal(['warn', 'info']);
    expect(h.isDown).to.equal(false);
  });

  it('a success of an operation begun before the outage was noticed does not end it (two passes side by side)', () => {
    let now = 1000;
    const { lines, log } = recorder();
    const h = new DbHealthLog(log, 'engine', () => now);
    const olderPassStarted = now;
    now += 50;
    h.down(new Error('connection 3 to 127.0.0.1:27017 closed'));
    now += 5;
    h.up(olderPassStarted);
    expect(h.isDown, 'still down').to.equal(true);
    h.down(new Error('ECONNRESET'));
    now += 100;
    h.up(now - 10);
    expect(lines.map((l) => l.level)).to.deep.equal(['warn', 'info']);
  });
});
