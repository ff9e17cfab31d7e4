// The /__control/webhooks routes every emulator that sends webhooks answers: register endpoints,
// read delivery stats, set delivery faults, and emit a burst of real changes.
import { z } from 'zod';
import type { EmuRequest, EmuResponse } from './http.ts';
import { DeliveryFaultSchema } from './webhook-faults.ts';
import type { WebhookSender } from './webhooks.ts';

/** What an emulator that sends webhooks gives the shared control routes. */
export interface EmulatorWebhooks {
  sender: WebhookSender;
  /** Makes `count` real changes to seeded objects (of `kind`, where it has several) and sends their events; answers how many it made. */
  emit(count: number, kind?: string): number;
}

const EndpointSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    secret: z.string().min(1).max(1_000),
  })
  .strict();

const EmitSchema = z
  .object({
    count: z.number().int().min(1).max(10_000),
    kind: z.string().max(64).optional(),
  })
  .strict();

const ok = (body: unknown): EmuResponse => ({ status: 200, body });
const bad = (message: string): EmuResponse => ({ status: 400, body: { error: { message } } });

function parse<T>(schema: z.ZodType<T>, req: EmuRequest, what: string): T | EmuResponse {
  let input: unknown;
  try {
    input = req.rawBody.trim() ? JSON.parse(req.rawBody) : {};
  } catch (err) {
    return bad(`Invalid ${what}: the body is not JSON (${(err as Error).message})`);
  }
  const result = schema.safeParse(input);
  if (!result.success) return bad(`Invalid ${what}: ${z.prettifyError(result.error).replace(/\n/g, '; ')}`);
  return result.data;
}

const isResponse = (v: unknown): v is EmuResponse => typeof v === 'object' && v !== null && 'status' in v && 'body' in v;

/** Answers a /__control/webhooks request, or undefined for a path it does not own. */
export function webhookControl(hooks: EmulatorWebhooks, req: EmuRequest): EmuResponse | undefined {
  const { sender } = hooks;
  switch (`${req.method} ${req.path}`) {
    case 'GET /__control/webhooks':
      // The secrets are never echoed: only where deliveries go and how they fare.
      return ok({ endpoints: sender.endpointList(), stats: sender.stats(), faults: sender.currentFaults() });
    case 'POST /__control/webhooks': {
      const endpoint = parse(EndpointSchema, req, 'webhook endpoint');
      if (isResponse(endpoint)) return endpoint;
      sender.register(endpoint.url, endpoint.secret);
      return ok({ ok: true, endpoints: sender.endpointList() });
    }
    case 'DELETE /__control/webhooks':
      sender.clear();
      return ok({ ok: true, endpoints: [] });
    case 'POST /__control/webhooks/faults': {
      const faults = parse(DeliveryFaultSchema, req, 'webhook fault spec');
      if (isResponse(faults)) return faults;
      return ok({ ok: true, faults: sender.setFaults(faults) });
    }
    case 'DELETE /__control/webhooks/faults':
      sender.clearFaults();
      return ok({ ok: true, faults: null });
    case 'POST /__control/webhooks/emit': {
      const body = parse(EmitSchema, req, 'emit request');
      if (isResponse(body)) return body;
      try {
        return ok({ emitted: hooks.emit(body.count, body.kind) });
      } catch (err) {
        return bad((err as Error).message);
      }
    }
    default:
      return undefined;
  }
}
