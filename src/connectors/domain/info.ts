// What every connector instance tells /health/ready, the banner and the console about itself.
export type ConnectorMode = 'demo' | 'live';

export interface ConnectorInfo {
  /** The instance's name (the module's, or one given in CONNECTOR_INSTANCES; notify.slack for a transport). */
  readonly name: string;
  readonly mode: ConnectorMode;
  readonly baseUrl: string;
}
