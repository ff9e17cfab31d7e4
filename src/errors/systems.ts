// How clients read a connector's name in an error message ("<system> is unavailable"). The
// connector modules give these names when their instances are built (src/connectors/index.ts),
// so this layer, below the connectors, never has to know them; an unnamed one reads as itself.
const NAMES = new Map<string, string>([['store', 'The database']]);

export function nameSystem(connector: string, displayName: string): void {
  NAMES.set(connector, displayName);
}

export function systemName(connector: string): string {
  return NAMES.get(connector) ?? connector;
}
