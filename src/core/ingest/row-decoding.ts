/**
 * How a run decodes a delimited row: a malformed row is its problems; a well-formed one goes
 * through the source's `decodeRow` when it has one (straight from the row's fields), else
 * through `decode` on the record the row maps to. Both give the same result: the canonical row,
 * or a `Rejected` with every reason.
 */
import * as Either from "effect/Either";
import { Rejected } from "../model/contracts";
import type { RowBlock } from "./parsing/row-block";
import type { DelimitedTable, RowLayout } from "./parsing/table";
import type { DecodeEnv, RowDecoder, SourceDefinition } from "./source";

/** A decode result as a row decoder gives it: the value, or a `Rejected`. */
export const fromEither = <A>(decoded: Either.Either<A, ReadonlyArray<string>>): A | Rejected =>
  Either.isRight(decoded) ? decoded.right : new Rejected(decoded.left);

/** The row decoding of one run; see the module doc. */
export const rowDecoding = <A>(definition: SourceDefinition<A>, env: DecodeEnv) => {
  let layout: RowLayout | undefined;
  let decoder: RowDecoder<A> | undefined;
  return (block: RowBlock, i: number, table: DelimitedTable): A | Rejected => {
    const problems = table.problemsOf(block, i);
    if (problems !== undefined) return new Rejected(problems);
    if (definition.decodeRow === undefined) {
      return fromEither(definition.decode(table.recordOf(block, i), env));
    }
    const current = table.layout as RowLayout;
    if (current !== layout) {
      layout = current;
      decoder = definition.decodeRow(current, env);
    }
    return (decoder as RowDecoder<A>)(block.fields, block.starts[i] as number);
  };
};
