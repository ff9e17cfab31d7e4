// GraphiQL 4 (CodeMirror 5, no web workers), bundled: queries go to /graphql over the session
// (cookie and x-csrf-token); the schema comes from introspection; docs and history are on.
import type { Fetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import { useMemo } from 'react';
import { graphqlFetcher } from '../api.ts';
import { useSession } from '../ui.tsx';

const DEFAULT_QUERY = `# The graph as your session sees it: Ctrl-Enter runs the query.
query Connectors {
  connectors {
    name
    circuit
    errorRate
  }
}
`;

export default function Explorer({ onExpired }: { onExpired: () => void }) {
  const session = useSession();
  const fetcher = useMemo(() => graphqlFetcher(session, onExpired) as Fetcher, [session, onExpired]);
  return (
    <div className="explorer" data-testid="explorer">
      <h1 className="sr-only">Explorer</h1>
      <GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY} defaultEditorToolsVisibility shouldPersistHeaders={false} />
    </div>
  );
}
