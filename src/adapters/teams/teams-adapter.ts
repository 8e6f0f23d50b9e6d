import { TeamsAdapter } from '@microsoft/teams-ai';
import { ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import type { Activity, ConfigurationBotFrameworkAuthenticationOptions, InvokeResponse, TurnContext } from 'botbuilder';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import type { TeamsConfig } from '../../config/teams-env.js';

/**
 * teams-ai's adapter, with botbuilder's per-activity entry point made public: the router
 * does its own HTTP (body parsing, status mapping) and hands over only the activity.
 */
export class EscTeamsAdapter extends TeamsAdapter {
  /** Verifies the request's JWT, then runs `logic`. Throws (AuthenticationError or other) when the token is refused. */
  handle(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }
}

/** botbuilder's settings for the app registration described by `config`. */
export function botFrameworkOptions(config: TeamsConfig): ConfigurationBotFrameworkAuthenticationOptions {
  return {
    MicrosoftAppId: config.appId,
    MicrosoftAppPassword: config.appPassword?.reveal(),
    MicrosoftAppType: config.appType,
    MicrosoftAppTenantId: config.tenantId ?? undefined,
    // Setting any endpoint switches botbuilder to "parameterized" mode, where every endpoint
    // left unset is undefined (no issuer check would pass): the config sets them together.
    ...(config.endpoints
      ? {
          ToBotFromChannelOpenIdMetadataUrl: config.endpoints.openIdMetadataUrl,
          ToBotFromChannelTokenIssuer: config.endpoints.tokenIssuer,
          ToBotFromEmulatorOpenIdMetadataUrl: config.endpoints.emulatorOpenIdMetadataUrl,
          ToChannelFromBotLoginUrl: config.endpoints.loginUrl,
          ToChannelFromBotOAuthScope: config.endpoints.oauthScope,
          OAuthUrl: config.endpoints.oauthUrl,
          ValidateAuthority: true,
          CallerId: config.endpoints.callerId,
        }
      : {}),
  };
}

/**
 * The adapter. Incoming tokens are always verified against `config.appId`; outgoing calls get
 * their token from `credentialsFactory` (tests pass one that needs no Entra ID).
 */
export function createTeamsAdapter(config: TeamsConfig, credentialsFactory?: ServiceClientCredentialsFactory): EscTeamsAdapter {
  const options = botFrameworkOptions(config);
  return new EscTeamsAdapter(options, credentialsFactory ?? new ConfigurationServiceClientCredentialFactory(options));
}
