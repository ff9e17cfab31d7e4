// The scalars, from graphql-scalars, with one bound of our own: an email address is at most 254
// characters (RFC 5321), checked before graphql-scalars' pattern runs. A longer "address" is
// refused as bad input here rather than matched whole and sent on to Stripe, HubSpot and a
// database index (a 1 MiB one overflowed Postgres's index row and surfaced as an internal error).
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { CurrencyResolver, DateTimeResolver, EmailAddressResolver, JSONObjectResolver, NonNegativeIntResolver, PositiveIntResolver } from 'graphql-scalars';

const MAX_EMAIL = 254;

const tooLong = (value: unknown) => typeof value === 'string' && value.length > MAX_EMAIL;
const refuse = () => new GraphQLError(`Value is not a valid email address: longer than ${MAX_EMAIL} characters`);

export const EmailAddress = new GraphQLScalarType({
  ...EmailAddressResolver.toConfig(),
  parseValue(value) {
    if (tooLong(value)) throw refuse();
    return EmailAddressResolver.parseValue(value);
  },
  parseLiteral(ast, variables) {
    if (ast.kind === Kind.STRING && tooLong(ast.value)) throw refuse();
    return EmailAddressResolver.parseLiteral(ast, variables);
  },
});

export { CurrencyResolver as Currency, DateTimeResolver as DateTime, JSONObjectResolver as JSONObject, NonNegativeIntResolver as NonNegativeInt, PositiveIntResolver as PositiveInt };
