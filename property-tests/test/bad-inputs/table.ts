/**
 * The table-driven bad-input suite: each row is a call that must fail, the error class it must
 * raise and a pattern its message must match (naming the op, the argument, what was received
 * and what was expected). `runTable` makes one test per row, so a regression names its row.
 * A row that returns instead of throwing, or throws a plain Error / TypeError from deep inside a
 * kernel, fails — those are the bugs this suite exists to catch.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LinaxError } from "linax-ts";

/** An error class of the hierarchy. */
export type ErrorClass = abstract new (...args: never[]) => Error;

/** `[name, thunk, expected class, message pattern]`. */
export type Row = readonly [name: string, thunk: () => unknown, cls: ErrorClass, message: RegExp];

/** Run every row as its own test under `describe(area)`. */
export function runTable(area: string, rows: readonly Row[]): void {
  const names = new Set<string>();
  for (const [name] of rows) {
    assert.ok(!names.has(name), `${area}: duplicate row name '${name}'`);
    names.add(name);
  }
  describe(`bad inputs: ${area} (${rows.length} rows)`, () => {
    for (const [name, thunk, cls, message] of rows) {
      it(name, () => {
        let threw = false;
        try {
          thunk();
        } catch (e) {
          threw = true;
          assert.ok(
            e instanceof LinaxError,
            `expected a LinaxError (${cls.name}); got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`,
          );
          assert.ok(
            e instanceof cls,
            `expected ${cls.name}; got ${(e as Error).constructor.name}: ${(e as Error).message}`,
          );
          assert.match((e as Error).message, message);
        }
        assert.ok(threw, `expected ${cls.name} matching ${message}, but the call returned`);
      });
    }
  });
}
