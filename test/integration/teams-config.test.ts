import { expect } from 'chai';
import { botFrameworkOptions } from '../../src/adapters/teams/teams-adapter.js';
import { loadTeamsConfig } from '../../src/config/teams-env.js';

const ID = '11111111-2222-3333-4444-555555555555';

describe('Teams: configuration', () => {
  it('is off (null) when no TEAMS_ variable is set', () => {
    expect(loadTeamsConfig({})).to.equal(null);
    expect(loadTeamsConfig({ TEAMS_APP_ID: '', TEAMS_APP_PASSWORD: '' })).to.equal(null);
  });

  it('reports every problem at once, by variable name', () => {
    expect(() => loadTeamsConfig({ TEAMS_APP_ID: 'not-a-guid', TEAMS_APP_TYPE: 'SingleTenant', TEAMS_OPENID_METADATA_URL: 'nope' }))
      .to.throw(/TEAMS_APP_ID: must be[\s\S]*TEAMS_OPENID_METADATA_URL[\s\S]*TEAMS_APP_PASSWORD: required[\s\S]*TEAMS_TENANT_ID: required/);
    expect(() => loadTeamsConfig({ TEAMS_APP_ID: ID, TEAMS_APP_PASSWORD: 'x', TEAMS_APP_TYPE: 'Galactic' })).to.throw(/TEAMS_APP_TYPE: must be one of MultiTenant, SingleTenant, UserAssignedMSI/);
  });

  it('keeps the password out of logs and passes the endpoints botbuilder needs', () => {
    const c = loadTeamsConfig({ TEAMS_APP_ID: ID, TEAMS_APP_PASSWORD: 'super-secret', TEAMS_TENANT_ID: ID, TEAMS_OPENID_METADATA_URL: 'http://127.0.0.1:9/openid' })!;
    expect(c.appType).to.equal('SingleTenant');
    expect(JSON.stringify(c)).to.not.include('super-secret');
    const o = botFrameworkOptions(c);
    expect(o).to.include({ MicrosoftAppId: ID, MicrosoftAppPassword: 'super-secret', ToBotFromChannelOpenIdMetadataUrl: 'http://127.0.0.1:9/openid', ToBotFromChannelTokenIssuer: 'https://api.botframework.com' });
    expect(botFrameworkOptions(loadTeamsConfig({ TEAMS_APP_ID: ID, TEAMS_APP_PASSWORD: 'x', TEAMS_TENANT_ID: ID })!)).to.not.have.property('ToBotFromChannelOpenIdMetadataUrl');
  });

  it('defaults to single-tenant (a tenant id is then required); every Microsoft endpoint is set together, by cloud or one by one', () => {
    expect(() => loadTeamsConfig({ TEAMS_APP_ID: ID, TEAMS_APP_PASSWORD: 'x' })).to.throw(/TEAMS_TENANT_ID: required when TEAMS_APP_TYPE=SingleTenant/);
    expect(loadTeamsConfig({ TEAMS_APP_ID: ID, TEAMS_APP_PASSWORD: 'x', TEAMS_APP_TYPE: 'MultiTenant' })!.appType).to.equal('MultiTenant');
    const gov = loadTeamsConfig({ TEAMS_APP_ID: ID, TEAMS_APP_PASSWORD: 'x', TEAMS_TENANT_ID: ID, TEAMS_CLOUD: 'usgov', TEAMS_WAR_ROOM_TEAM_ID: ID })!;
    expect(botFrameworkOptions(gov)).to.include({ ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.azure.us/v1/.well-known/openidconfiguration', ToBotFromChannelTokenIssuer: 'https://api.botframework.us', ToChannelFromBotLoginUrl: 'https://login.microsoftonline.us/MicrosoftServices.onmicrosoft.us', ToChannelFromBotOAuthScope: 'https://api.botframework.us', OAuthUrl: 'https://api.botframework.azure.us' });
    expect(gov.warRoom).to.include({ graphBaseUrl: 'https://graph.microsoft.us/v1.0', authorityHost: 'https://login.microsoftonline.us' });
    const one = loadTeamsConfig({ TEAMS_APP_ID: ID, TEAMS_APP_PASSWORD: 'x', TEAMS_TENANT_ID: ID, TEAMS_LOGIN_URL: `https://login.example.test/${ID}` })!;
    expect(botFrameworkOptions(one)).to.include({ ToChannelFromBotLoginUrl: `https://login.example.test/${ID}`, ToBotFromChannelTokenIssuer: 'https://api.botframework.com' });
  });
});
