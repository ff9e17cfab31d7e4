// The one way an input position is named in `extensions.field`: argument or variable name, then
// input fields and list indexes, dot-separated (`input.amount`, `input.messages.2.content`),
// the same whether the value was written inline or sent in a variable.
export function fieldPath(path: readonly (string | number)[]): string {
  return path.join('.');
}

// Messages of scalars echo the value they refused; the field names where it was, so the echo is cut.
const MAX_MESSAGE = 200;

export function cutMessage(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
}
