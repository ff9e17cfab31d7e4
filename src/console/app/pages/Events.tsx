// The webhook inbox: filter, look at an event (payload, attempts, last error), replay one, or
// replay every dead one.
import { gql } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { PAGE_INFO } from '../fragments.ts';
import { ACTIONS, DataTable, type Column } from '../table.tsx';
import type { Connection } from '../types.ts';
import { Badge, ConfirmButton, ErrorNotice, Filters, fmtTime, Pager, QueryState, useFilterParams, usePages, type FilterField } from '../ui.tsx';

interface WebhookEvent {
  id: string;
  provider: string;
  eventId: string;
  type: string;
  status: string;
  attempts: number;
  receivedAt: string;
  processedAt: string | null;
  lastError: string | null;
}

const EVENTS = gql`
  query ConsoleEvents($filter: WebhookEventFilter, $after: String) {
    webhookEvents(filter: $filter, first: 50, after: $after) {
      totalCount
      pageInfo {
        ...ConsolePageInfo
      }
      edges {
        cursor
        node {
          id
          provider
          eventId
          type
          status
          attempts
          receivedAt
          processedAt
          lastError
        }
      }
    }
  }
  ${PAGE_INFO}
`;

const PAYLOAD = gql`
  query ConsoleEventPayload($filter: WebhookEventFilter) {
    webhookEvents(filter: $filter, first: 50) {
      edges {
        node {
          id
          payloadJson
        }
      }
    }
  }
`;

const REPLAY = gql`
  mutation ConsoleReplay($id: ID!) {
    replayWebhookEvent(id: $id) {
      id
      status
      attempts
      lastError
    }
  }
`;

const REPLAY_DEAD = gql`
  mutation ConsoleReplayDead {
    replayWebhookEvents(filter: { status: DEAD })
  }
`;

const FILTERS: FilterField[] = [
  { key: 'provider', label: 'Provider', testId: 'filter-provider' },
  { key: 'status', label: 'Status', options: ['RECEIVED', 'PROCESSED', 'FAILED', 'DEAD'], testId: 'filter-status' },
  { key: 'type', label: 'Type', testId: 'filter-type' },
];

function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

export function Events() {
  const filters = useFilterParams();
  const filter = { provider: filters.get('provider'), status: filters.get('status'), type: filters.get('type') };
  const pages = usePages(filters.params.toString());
  const { data, error, loading, refetch } = useQuery<{ webhookEvents: Connection<WebhookEvent> }>(EVENTS, {
    variables: { filter, after: pages.after },
    pollInterval: 5000,
  });
  const [selected, setSelected] = useState<WebhookEvent | null>(null);
  const [replayDead, dead] = useMutation<{ replayWebhookEvents: number }>(REPLAY_DEAD);
  const columns: Column<WebhookEvent>[] = [
    { header: 'Received', cell: (e) => fmtTime(e.receivedAt) },
    { header: 'Provider', cell: (e) => e.provider },
    {
      header: 'Type',
      cell: (e) => (
        <button type="button" className="link" onClick={() => setSelected(e)} data-testid={`event-open-${e.id}`}>
          {e.type}
        </button>
      ),
    },
    { header: 'Status', cell: (e) => <Badge value={e.status} /> },
    { header: 'Attempts', cell: (e) => e.attempts },
    { header: 'Last error', cell: (e) => e.lastError, className: 'clip' },
    { header: ACTIONS, cell: (e) => <ReplayButton id={e.id} label={`Replay ${e.provider} ${e.type} ${e.eventId}`} /> },
  ];
  return (
    <>
      <h1>Webhook inbox</h1>
      <Filters label="Filter events" fields={FILTERS} value={filters.get} onChange={filters.set}>
        <ConfirmButton
          label="Replay all dead"
          title="Replay every dead event?"
          danger
          testId="replay-dead"
          disabled={dead.loading}
          onConfirm={() =>
            void replayDead().then(
              () => refetch(),
              () => undefined,
            )
          }
        >
          <p>Every event of the inbox with status DEAD is put back to RECEIVED and processed again.</p>
        </ConfirmButton>
      </Filters>
      {dead.error && <ErrorNotice error={dead.error} forbidden="your role cannot replay events." />}
      {dead.data && (
        <p role="status" data-testid="replay-dead-result">
          {dead.data.replayWebhookEvents} dead events queued again.
        </p>
      )}
      <QueryState error={error} loading={loading} data={data} what="the inbox">
        <p className="muted" data-testid="events-count">
          {data?.webhookEvents.totalCount ?? 0} events
        </p>
        <DataTable
          scroll
          testId="events-table"
          columns={columns}
          rows={data?.webhookEvents.edges.map((edge) => edge.node)}
          rowKey={(e) => e.id}
          row={(e) => ({ 'data-testid': `event-${e.id}`, 'aria-selected': selected?.id === e.id })}
        />
        <Pager pages={pages} pageInfo={data?.webhookEvents.pageInfo} />
      </QueryState>
      {selected && <EventDetail event={selected} onClose={() => setSelected(null)} />}
    </>
  );
}

function ReplayButton({ id, label }: { id: string; label: string }) {
  const [replay, { loading, error, data }] = useMutation(REPLAY, { variables: { id } });
  return (
    <>
      <button type="button" disabled={loading} onClick={() => void replay().catch(() => undefined)} data-testid={`replay-${id}`} aria-label={label}>
        Replay
      </button>
      {data && !error ? <span role="status"> queued</span> : null}
      {error && <ErrorNotice error={error} forbidden="your role cannot replay events." />}
    </>
  );
}

function EventDetail({ event, onClose }: { event: WebhookEvent; onClose: () => void }) {
  // payloadJson by the event's own provider and type, then picked by id (the filter has no id).
  const { data, error, loading } = useQuery<{ webhookEvents: { edges: { node: { id: string; payloadJson: string } }[] } }>(PAYLOAD, {
    variables: { filter: { provider: event.provider, type: event.type, to: new Date(new Date(event.receivedAt).getTime() + 1).toISOString() } },
  });
  const payload = data?.webhookEvents.edges.find((e) => e.node.id === event.id)?.node.payloadJson;
  return (
    <section className="card detail" aria-labelledby="event-detail-title" data-testid="event-detail">
      <h2 id="event-detail-title">
        {event.provider} {event.type} <span className="muted">{event.eventId}</span>
      </h2>
      <button type="button" onClick={onClose} className="close" aria-label="Close the event">
        Close
      </button>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <Badge value={event.status} />
        </dd>
        <dt>Attempts</dt>
        <dd data-testid="event-attempts">{event.attempts}</dd>
        <dt>Received</dt>
        <dd>{fmtTime(event.receivedAt)}</dd>
        <dt>Processed</dt>
        <dd>{fmtTime(event.processedAt)}</dd>
        <dt>Last error</dt>
        <dd data-testid="event-last-error">{event.lastError ?? '—'}</dd>
      </dl>
      <h3>Payload</h3>
      <QueryState error={error} loading={loading} what="the payload">
        <pre data-testid="event-payload">{payload ? pretty(payload) : '(not found)'}</pre>
      </QueryState>
    </section>
  );
}
