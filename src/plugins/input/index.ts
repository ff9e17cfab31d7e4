export { inputPlugin } from './plugin.ts';
export { literalInputRule, literalErrors } from './literals.ts';
export { variableError } from './variables.ts';
