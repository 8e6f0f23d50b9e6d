import { expect } from 'chai';
import { scrubLogText } from '../../src/logger.js';

describe('logs: keys and library stack traces stay out', () => {
  it('redacts bearer tokens, JWTs, client secrets, URL passwords and PEM keys', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiIxMjM0NTYifQ.c2lnbmF0dXJlLXZhbHVl';
    const out = scrubLogText(`Authorization: Bearer abc.def-123456789 token ${jwt} client_secret=s3cr3t&x=1 smtps://user:pa55@mail.example -----BEGIN RSA PUBLIC KEY-----\nMIIBCgKCAQEAxDio4\n-----END RSA PUBLIC KEY-----`);
    for (const secret of ['abc.def-123456789', jwt, 's3cr3t', 'pa55', 'MIIBCgKCAQEAxDio4']) expect(out).to.not.include(secret);
    expect(out).to.include('Bearer [redacted]').and.include('[pem]').and.include('client_secret=[redacted]');
  });

  it('keeps a stack trace\'s message and our frames, not the library frames', () => {
    const stack = ['Error: Unauthorized. Invalid AppId', '    at validateIdentity (/app/node_modules/botframework-connector/lib/auth/channelValidation.js:10:5)', '    at processTicksAndRejections (node:internal/process/task_queues:95:5)', '    at handle (/app/dist/adapters/teams/teams-router.js:40:9)'].join('\n');
    const out = scrubLogText(stack);
    expect(out).to.include('Error: Unauthorized. Invalid AppId').and.include('teams-router.js').and.include('(2 library frames left out)');
    expect(out).to.not.include('botframework-connector');
  });
});
