// What every connector instance tells /health/ready, the banner and the console about itself.
export type ConnectorMode = 'demo' | 'live';

/** What an id of a connector's objects looks like, checked before any call (BAD_USER_INPUT otherwise). */
export interface IdFormat {
  pattern: RegExp;
  /** Named in the error: `pi_…`, `a numeric id`. */
  example: string;
}

export interface ConnectorInfo {
  /** The instance's name (the module's, one given in CONNECTOR_INSTANCES, or a module's own, e.g. one per notification transport). */
  readonly name: string;
  readonly mode: ConnectorMode;
  readonly baseUrl: string;
}
