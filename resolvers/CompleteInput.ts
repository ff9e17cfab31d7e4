// CompleteInput and EmbedInput as the AI service takes them: checked once here for Mutation.complete,
// Subscription.completeStream and Mutation.embed, so a bad input is the same BAD_USER_INPUT on every
// transport and reaches no provider.
import type { CompleteInput, EmbedInput } from '../src/generated/graphql.ts';
import type { Context } from '../src/context.ts';
import type { ChatMessage } from '../src/connectors/domain/ai.ts';
import type { AiRequest, EmbedRequest } from '../src/ai/service.ts';
import type { CapabilityKind } from '../src/ai/config.ts';
import { badInput } from '../src/errors/index.ts';
import { checkText } from '../src/validation.ts';

const MAX_PROMPT = 32_000;
const MAX_MESSAGES = 100;
const MAX_TEXTS = 256;

function checkCapability(ctx: Context, value: string | null | undefined, kind: CapabilityKind): string | null {
  const capability = checkText('input.capability', value, 64);
  if (capability !== null && !ctx.services.ai.hasCapability(capability, kind)) {
    throw badInput('input.capability', `No ${kind} capability ${JSON.stringify(capability)} (configured: ${ctx.services.ai.capabilitiesOf(kind).join(', ')})`);
  }
  return capability;
}

export function completionRequest(input: CompleteInput, ctx: Context): AiRequest {
  if ((input.prompt == null) === (input.messages == null)) throw badInput('input', 'Give exactly one of input.prompt or input.messages');
  let messages: ChatMessage[];
  if (input.prompt != null) {
    messages = [{ role: 'user', content: checkText('input.prompt', input.prompt, MAX_PROMPT, { required: true })! }];
  } else {
    const given = input.messages!;
    if (given.length === 0 || given.length > MAX_MESSAGES) throw badInput('input.messages', `input.messages must hold 1 to ${MAX_MESSAGES} messages`);
    messages = given.map((m, i) => ({
      role: m.role.toLowerCase() as ChatMessage['role'],
      content: checkText(`input.messages[${i}].content`, m.content, MAX_PROMPT, { required: true })!,
    }));
  }
  const t = input.temperature;
  if (t != null && !(t >= 0 && t <= 2)) throw badInput('input.temperature', 'input.temperature must be between 0 and 2');
  const model = checkText('input.model', input.model, 200);
  const capability = checkCapability(ctx, input.capability, 'chat');
  return { capability, messages, model, temperature: t ?? null, maxTokens: input.maxTokens ?? null, principalId: ctx.principal.id };
}

export function embedRequest(input: EmbedInput, ctx: Context): EmbedRequest {
  if (input.texts.length === 0 || input.texts.length > MAX_TEXTS) throw badInput('input.texts', `input.texts must hold 1 to ${MAX_TEXTS} texts`);
  const texts = input.texts.map((t, i) => checkText(`input.texts[${i}]`, t, MAX_PROMPT, { required: true })!);
  return { capability: checkCapability(ctx, input.capability, 'embed'), texts, principalId: ctx.principal.id };
}
