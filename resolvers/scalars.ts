// The scalars, from graphql-scalars, with one bound of our own on the string ones that run a
// pattern: a value longer than the format can ever be is refused before the pattern reads it.
// An email address is at most 254 characters (RFC 5321): a longer "address" was otherwise
// matched whole and sent on to the payments provider, the CRM and a database index (a 1 MiB one overflowed
// Postgres's index row and surfaced as an internal error). A date-time is at most about 35.
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import {
  CurrencyResolver,
  DateResolver,
  DateTimeResolver,
  EmailAddressResolver,
  JSONObjectResolver,
  NonNegativeIntResolver,
  PositiveIntResolver,
} from 'graphql-scalars';

function bounded(scalar: GraphQLScalarType, max: number, what: string): GraphQLScalarType {
  const tooLong = (value: unknown) => typeof value === 'string' && value.length > max;
  const refuse = () => new GraphQLError(`Value is not a valid ${what}: longer than ${max} characters`);
  return new GraphQLScalarType({
    ...scalar.toConfig(),
    parseValue(value) {
      if (tooLong(value)) throw refuse();
      return scalar.parseValue(value);
    },
    parseLiteral(ast, variables) {
      if (ast.kind === Kind.STRING && tooLong(ast.value)) throw refuse();
      return scalar.parseLiteral(ast, variables);
    },
  });
}

export const EmailAddress = bounded(EmailAddressResolver, 254, 'email address');
export const DateTime = bounded(DateTimeResolver, 64, 'date-time');
export const DateScalar = bounded(DateResolver, 64, 'date');

export { CurrencyResolver as Currency, JSONObjectResolver as JSONObject, NonNegativeIntResolver as NonNegativeInt, PositiveIntResolver as PositiveInt };
