/**
 * One shape for values whatever the engine: PGlite already returns int8 as numbers, node-postgres
 * as strings; both would turn a `date` into a midnight-UTC Date, which shifts days in other zones.
 */
export const INT8_OID = 20;
export const DATE_OID = 1082;

export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`int8 value ${text} is beyond JavaScript's safe integer range`);
  }
  return value;
}

export const keepDateText = (text: string): string => text;
