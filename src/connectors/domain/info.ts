// What every connector tells /health/ready about itself.
export type ConnectorMode = 'demo' | 'live';

export interface ConnectorInfo {
  readonly name: 'stripe' | 'hubspot' | 'openai';
  readonly mode: ConnectorMode;
  readonly baseUrl: string;
}
