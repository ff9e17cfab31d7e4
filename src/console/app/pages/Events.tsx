// The webhook inbox: filter, look at an event (payload, attempts, last error), replay one, or
// replay every dead one.
import { gql } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { Connection } from '../types.ts';
import { Badge, ConfirmButton, ErrorNotice, fmtTime, Loading, Pager, usePages } from '../ui.tsx';

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
        hasNextPage
        endCursor
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

const STATUSES = ['RECEIVED', 'PROCESSED', 'FAILED', 'DEAD'];

function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

export function Events() {
  const [params, setParams] = useSearchParams();
  const filter = { provider: params.get('provider') || undefined, status: params.get('status') || undefined, type: params.get('type') || undefined };
  const pages = usePages(params.toString());
  const { data, error, loading, refetch } = useQuery<{ webhookEvents: Connection<WebhookEvent> }>(EVENTS, {
    variables: { filter, after: pages.after },
    pollInterval: 5000,
  });
  const [selected, setSelected] = useState<WebhookEvent | null>(null);
  const [replayDead, dead] = useMutation<{ replayWebhookEvents: number }>(REPLAY_DEAD);
  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  return (
    <>
      <h1>Webhook inbox</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter events">
        <label>
          Provider
          <input data-testid="filter-provider" defaultValue={filter.provider ?? ''} onChange={(e) => setFilter('provider', e.target.value.trim())} />
        </label>
        <label>
          Status
          <select data-testid="filter-status" value={filter.status ?? ''} onChange={(e) => setFilter('status', e.target.value)}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Type
          <input data-testid="filter-type" defaultValue={filter.type ?? ''} onChange={(e) => setFilter('type', e.target.value.trim())} />
        </label>
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
      </form>
      {dead.error && <ErrorNotice error={dead.error} forbidden="your role cannot replay events." />}
      {dead.data && (
        <p role="status" data-testid="replay-dead-result">
          {dead.data.replayWebhookEvents} dead events queued again.
        </p>
      )}
      {error && <ErrorNotice error={error} />}
      {loading && !data ? (
        <Loading what="the inbox" />
      ) : (
        <>
          <p className="muted" data-testid="events-count">
            {data?.webhookEvents.totalCount ?? 0} events
          </p>
          <div className="scroll">
            <table data-testid="events-table">
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Provider</th>
                  <th scope="col">Type</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Last error</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data?.webhookEvents.edges.map(({ node: e }) => (
                  <tr key={e.id} data-testid={`event-${e.id}`} aria-selected={selected?.id === e.id}>
                    <td>{fmtTime(e.receivedAt)}</td>
                    <td>{e.provider}</td>
                    <td>
                      <button type="button" className="link" onClick={() => setSelected(e)} data-testid={`event-open-${e.id}`}>
                        {e.type}
                      </button>
                    </td>
                    <td>
                      <Badge value={e.status} />
                    </td>
                    <td>{e.attempts}</td>
                    <td className="clip">{e.lastError}</td>
                    <td>
                      <ReplayButton id={e.id} label={`Replay ${e.provider} ${e.type} ${e.eventId}`} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager pages={pages} pageInfo={data?.webhookEvents.pageInfo} />
        </>
      )}
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
      {error && <ErrorNotice error={error} />}
      {loading ? <Loading what="the payload" /> : <pre data-testid="event-payload">{payload ? pretty(payload) : '(not found)'}</pre>}
    </section>
  );
}
