// The outbound part of the configuration: how the pipeline shares each provider's quota between
// principals (README: "Resilience: the pipeline").
import { z } from 'zod';
import type { Config } from '../config.ts';

export const OutboundEnv = {
  OUTBOUND_PRINCIPAL_SHARE: z.coerce
    .number({ message: 'OUTBOUND_PRINCIPAL_SHARE must be a number between 0 and 1, e.g. 0.5' })
    .gt(0, 'OUTBOUND_PRINCIPAL_SHARE must be greater than 0')
    .max(1, 'OUTBOUND_PRINCIPAL_SHARE must be at most 1 (1: no per-principal cap)')
    .default(0.5),
};

type OutboundEnvValues = z.infer<z.ZodObject<typeof OutboundEnv>>;

export function outboundConfig(e: OutboundEnvValues): Pick<Config, 'outbound'> {
  return { outbound: { principalShare: e.OUTBOUND_PRINCIPAL_SHARE } };
}
